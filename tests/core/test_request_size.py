"""Issue 15.6: a body above its URL's limit is refused before it is read or spooled to disk."""

import socket
import time

import pytest
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from core.middleware import RequestSizeLimitMiddleware, body_limit_for
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db
GIGABYTES = 1024**3


def test_an_anonymous_login_declaring_two_gigabytes_is_refused_unread(client):
    response = client.post(
        reverse("account_login"),
        data=b"login=a",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(2 * GIGABYTES),
    )
    assert response.status_code == 413
    assert "more than this page accepts (64 KB)" in response.content.decode()


def test_an_upload_may_be_as_big_as_the_file_limit_and_no_bigger(client, settings):
    community = CommunityFactory()
    client.force_login(MembershipFactory(community=community).user)
    url = reverse("resources:submit", kwargs={"slug": community.slug})
    assert body_limit_for(url) > settings.RESOURCE_UPLOAD_MAX_BYTES
    assert body_limit_for(url) < 2 * settings.RESOURCE_UPLOAD_MAX_BYTES
    huge = client.post(
        url, data=b"x", content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(4 * GIGABYTES)
    )
    assert huge.status_code == 413
    assert "20 MB" in huge.content.decode() or "21 MB" in huge.content.decode()
    # Any other POST gets far less than an upload.
    assert (
        body_limit_for(reverse("discussions:new", kwargs={"slug": community.slug})) == settings.REQUEST_BODY_MAX_BYTES
    )
    assert settings.REQUEST_BODY_MAX_BYTES <= 2 * 1024 * 1024


def test_an_htmx_request_gets_the_message_as_text(client):
    response = client.post(
        "/c/x/t/1/reply/", data=b"", content_type="text/plain", CONTENT_LENGTH=str(GIGABYTES), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/plain")


def test_a_body_longer_than_it_declared_is_stopped_while_reading(settings):
    settings.REQUEST_BODY_MAX_BYTES = 1000
    request = RequestFactory().post("/c/x/t/new/", data={"body": "x" * 5000})
    del request.META["CONTENT_LENGTH"]  # as with a chunked body: nothing declared up front
    middleware = RequestSizeLimitMiddleware(lambda request: HttpResponse(request.body))
    with pytest.raises(RequestDataTooBig):
        middleware(request)


def test_a_real_server_answers_413_at_once_without_reading_four_gigabytes(live_server):
    host, port = live_server.url.removeprefix("http://").split(":")
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {4 * GIGABYTES}\r\n\r\n".encode()
            + b"--x\r\n" * 100
        )
        answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")
    assert time.monotonic() - started < 5
