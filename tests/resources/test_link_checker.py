import ipaddress
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core.netguard import embedded_ipv4, host_is_obviously_private, is_public_address
from resources.linkcheck import check_url
from resources.models import Resource
from resources.tasks import check_resource_links
from tests.resources.factories import ResourceFactory


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/ok":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"hello " * 100_000)  # bigger than the read cap: the checker stops early
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/ok")
            self.end_headers()
        elif self.path == "/moved-to-missing":
            self.send_response(301)
            self.send_header("Location", "/missing")
            self.end_headers()
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def local_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # A short poll: shutdown() waits up to one poll interval (0.5 s by default) for the loop to stop.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_private(settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = True


def test_a_working_link_is_ok(local_site, allow_private):
    assert check_url(f"{local_site}/ok").ok


def test_a_missing_page_is_broken_with_its_status(local_site, allow_private):
    result = check_url(f"{local_site}/missing")
    assert (result.ok, result.status) == (False, 404)
    assert "HTTP 404" in result.problem


def test_redirects_are_followed_and_checked_again(local_site, allow_private):
    assert check_url(f"{local_site}/moved").ok
    assert not check_url(f"{local_site}/moved-to-missing").ok


def test_a_redirect_loop_is_broken(local_site, allow_private):
    assert "too many times" in check_url(f"{local_site}/loop").problem


def test_loopback_is_refused_without_the_setting(local_site, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    result = check_url(f"{local_site}/ok")
    assert not result.ok
    assert result.problem == "Not checked: it points to a private or local network address."


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.5/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "ftp://example.org/file",
    ],
)
def test_server_network_and_non_http_addresses_are_never_fetched(url, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    result = check_url(url)
    assert not result.ok
    assert result.problem.startswith("Not checked")


# IPv6 forms that carry 127.0.0.1 (or another private IPv4 address) inside them.
EMBEDDED_PRIVATE = {
    "IPv4-compatible": "::7f00:1",
    "IPv4-mapped": "::ffff:127.0.0.1",
    "NAT64 well-known prefix": "64:ff9b::7f00:1",
    "NAT64 local-use prefix": "64:ff9b:1::7f00:1",
    "6to4 of 127.0.0.1": "2002:7f00:1::1",
    "6to4 of 10.0.0.1": "2002:a00:1::1",
    "Teredo with a loopback client": "2001:0:4136:e378:8000:63bf:80ff:fffe",
}


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE.values(), ids=EMBEDDED_PRIVATE.keys())
def test_ipv6_that_wraps_a_private_ipv4_address_is_not_public(address):
    assert not is_public_address(address)
    assert host_is_obviously_private(f"[{address}]")


@pytest.mark.parametrize("address", EMBEDDED_PRIVATE.values(), ids=EMBEDDED_PRIVATE.keys())
def test_ipv6_that_wraps_loopback_is_never_fetched(address, local_site, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    port = local_site.rsplit(":", 1)[1]
    result = check_url(f"http://[{address}]:{port}/ok")
    assert not result.ok
    assert result.problem == "Not checked: it points to a private or local network address."


def test_ipv6_that_wraps_a_public_ipv4_address_is_judged_by_it():
    assert [str(a) for a in embedded_ipv4(ipaddress.ip_address("2002:808:808::1"))] == ["8.8.8.8"]
    assert is_public_address("2002:808:808::1")
    assert is_public_address("64:ff9b::808:808")
    assert is_public_address("::ffff:8.8.8.8")
    assert is_public_address("2606:4700::1111")
    teredo = embedded_ipv4(ipaddress.ip_address("2001:0:4136:e378:8000:63bf:3fff:fdd2"))
    assert [str(a) for a in teredo] == ["65.54.227.120", "192.0.2.45"]


def test_address_classification():
    assert is_public_address("93.184.216.34")
    for address in ("127.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "fe80::1", "::ffff:10.0.0.1"):
        assert not is_public_address(address)
    assert host_is_obviously_private("127.0.0.1")
    assert host_is_obviously_private("LOCALHOST")
    assert not host_is_obviously_private("example.org")


@pytest.mark.django_db
def test_the_periodic_check_marks_broken_links_for_moderators(local_site, allow_private):
    working = ResourceFactory(url=f"{local_site}/ok")
    broken = ResourceFactory(url=f"{local_site}/missing")
    assert check_resource_links.delay().get() == 2
    working.refresh_from_db()
    broken.refresh_from_db()
    assert working.link_status == Resource.LinkStatus.OK
    assert broken.link_status == Resource.LinkStatus.BROKEN
    assert "HTTP 404" in broken.link_problem
    # A second run the same week checks nothing again.
    assert check_resource_links.delay().get() == 0


@pytest.mark.django_db
def test_the_periodic_check_marks_a_loopback_link_broken_without_fetching_it(local_site, settings):
    settings.LINK_CHECK_ALLOW_PRIVATE = False
    resource = ResourceFactory(url=f"{local_site}/ok")
    check_resource_links.delay()
    resource.refresh_from_db()
    assert resource.link_status == Resource.LinkStatus.BROKEN
    assert "private or local network" in resource.link_problem


@pytest.mark.django_db
@pytest.mark.page_cache
def test_a_link_found_broken_shows_on_the_cached_resource_page(client, local_site, allow_private):
    from resources.tasks import check_resource_link

    resource = ResourceFactory(url=f"{local_site}/missing", status=Resource.Status.APPROVED)
    client.get(resource.get_absolute_url())  # a visitor: the page is cached
    assert client.get(resource.get_absolute_url())["X-Page-Cache"] == "hit"
    check_resource_link(resource.pk)  # a queryset update, outside any request
    assert client.get(resource.get_absolute_url())["X-Page-Cache"] == "miss"  # the task retired the entry
