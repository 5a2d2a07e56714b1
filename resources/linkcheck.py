"""Check that a link still answers, without letting a link reach the server's own network.

``check_url(url)`` returns a ``LinkResult``. Before each request (and after
each redirect) the host is resolved and every address must be public: no
loopback, private, link-local (so no 169.254.169.254 metadata), reserved,
multicast or unspecified address, unless ``settings.LINK_CHECK_ALLOW_PRIVATE``
(tests only). The connection then goes to the address that was checked, so a
second DNS answer cannot swap in a private one (core/netguard.py: the guard any
outgoing request reuses). Short timeout, small read cap, standard library only.
"""

import http.client
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from core.netguard import UnsafeAddress, resolve_public

TIMEOUT_SECONDS = 5
MAX_REDIRECTS = 5
MAX_BODY_BYTES = 64 * 1024
USER_AGENT = "CoPForumLinkChecker/1.0 (+resource library link check)"


@dataclass(frozen=True)
class LinkResult:
    ok: bool
    problem: str = ""
    status: int | None = None


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, **kwargs)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, address, **kwargs):
        super().__init__(host, port, context=ssl.create_default_context(), **kwargs)
        self._address = address

    def connect(self):
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)


def _fetch_once(url):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("it is not an http(s) address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = resolve_public(parts.hostname, port)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout=TIMEOUT_SECONDS)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
        response = connection.getresponse()
        response.read(MAX_BODY_BYTES)  # enough to see the server answer; never the whole body
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def check_url(url):
    """Follow up to five redirects, re-checking every hop; 2xx at the end is a working link."""
    current = url
    try:
        for _ in range(MAX_REDIRECTS + 1):
            status, location = _fetch_once(current)
            if status in (301, 302, 303, 307, 308) and location:
                current = urljoin(current, location)
                continue
            if 200 <= status < 300:
                return LinkResult(ok=True, status=status)
            return LinkResult(ok=False, status=status, problem=f"The page answered with HTTP {status}.")
        return LinkResult(ok=False, problem="The link redirects too many times.")
    except UnsafeAddress as exc:
        return LinkResult(ok=False, problem=f"Not checked: {exc}.")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return LinkResult(ok=False, problem=f"The site could not be reached ({type(exc).__name__}).")
