"""Keep outgoing requests (link checks, later webhooks) away from the server's own network.

``is_public_address(address)`` is the one test every outgoing connection passes: the
address must be globally routable, not multicast, and any IPv4 address carried inside
an IPv6 one must pass too. IPv6 has several ways to wrap IPv4 (RFC 4291, 6052, 3056,
4380), and ``ipaddress``'s ``is_global`` judges only the outer address: ``[::7f00:1]``,
``[64:ff9b::7f00:1]`` and ``[2002:7f00:1::1]`` all look global yet reach 127.0.0.1
through a translator or relay. ``resolve_public(host, port)`` resolves a name and
refuses it unless *every* address it has is public; callers then connect to the address
returned, so a second DNS answer cannot swap in a private one.
"""

import ipaddress
import socket

from django.conf import settings

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}
# IPv4-compatible (deprecated, ::a.b.c.d) and the well-known NAT64 prefix carry IPv4 in the last 32 bits.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Local-use NAT64 (RFC 8215) embeds IPv4 at a prefix length of the operator's choosing: never public.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


class UnsafeAddress(Exception):
    """The address (or one the name resolves to) is on a private, local or otherwise unsafe network."""


def embedded_ipv4(ip):
    """The IPv4 addresses an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo); [] for none."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    found = []
    if ip.ipv4_mapped is not None:
        found.append(ip.ipv4_mapped)
    if ip in _IPV4_COMPATIBLE or ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        found.append(ip.sixtofour)
    if ip.teredo is not None:
        found.extend(ip.teredo)  # (server, client), the client already un-obfuscated
    return found


def is_public_address(address):
    """True when ``address`` (text or ipaddress object) and every IPv4 address inside it are public."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _LOCAL_NAT64:
            return False
        if ip.ipv4_mapped is not None:
            # Judged by the IPv4 inside it alone (some Python versions call every mapped address private).
            ip = ip.ipv4_mapped
    if ip.is_multicast or not ip.is_global:
        return False
    return all(inner.is_global and not inner.is_multicast for inner in embedded_ipv4(ip))


def host_is_obviously_private(host):
    """True for ``localhost`` and literal non-public addresses (no DNS: for forms that take a URL)."""
    host = (host or "").strip("[]").lower().rstrip(".")
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        return not is_public_address(host)
    except ValueError:
        return False


def resolve_public(host, port):
    """The first address of ``host`` if every address it resolves to is public; else UnsafeAddress.

    ``settings.LINK_CHECK_ALLOW_PRIVATE`` (tests only) lets local addresses through.
    An unknown name raises OSError.
    """
    if host.lower().rstrip(".") in LOCAL_NAMES and not settings.LINK_CHECK_ALLOW_PRIVATE:
        raise UnsafeAddress("it points to this server itself")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OSError(f"the name {host} does not resolve") from exc
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OSError(f"the name {host} does not resolve")
    if not settings.LINK_CHECK_ALLOW_PRIVATE:
        for address in addresses:
            if not is_public_address(address.split("%", 1)[0]):
                raise UnsafeAddress("it points to a private or local network address")
    return addresses[0]
