"""Middleware every deployment runs: request-size limits, unreadable input, and the Retry-After of every 429."""

import re

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.template.loader import render_to_string

DEFAULT_RETRY_AFTER = 60


def body_limit_for(path):
    """The largest body (in bytes) a request to ``path`` may send: the first matching rule, else the default."""
    for pattern, limit in _compiled_limits():
        if pattern.match(path):
            return limit
    return settings.REQUEST_BODY_MAX_BYTES


_COMPILED = {}


def _compiled_limits():
    key = tuple(settings.REQUEST_BODY_LIMITS)
    if key not in _COMPILED:
        _COMPILED.clear()
        _COMPILED[key] = [(re.compile(pattern), limit) for pattern, limit in key]
    return _COMPILED[key]


def _megabytes(limit):
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


class _CountingStream:
    """Reads through to the request's stream and stops once more than ``limit`` bytes came."""

    def __init__(self, stream, limit):
        self._stream, self._limit, self._read = stream, limit, 0

    def _count(self, data):
        self._read += len(data)
        if self._read > self._limit:
            raise RequestDataTooBig(f"Request body exceeded {self._limit} bytes.")
        return data

    def read(self, *args, **kwargs):
        return self._count(self._stream.read(*args, **kwargs))

    def readline(self, *args, **kwargs):
        return self._count(self._stream.readline(*args, **kwargs))

    def close(self):
        close = getattr(self._stream, "close", None)
        if close is not None:
            close()


class RequestSizeLimitMiddleware:
    """Refuse a body above its URL's limit before anything reads it: by Content-Length, then while reading.

    Uploads (resource files) may send ``RESOURCE_UPLOAD_MAX_BYTES`` and a little more for the
    form around the file; every other URL far less (settings.REQUEST_BODY_LIMITS). The proxy in
    front should refuse the same sizes earlier still (README: client_max_body_size).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = body_limit_for(request.path_info)
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return self._too_big(request, limit)
        stream = getattr(request, "_stream", None)
        if stream is not None:
            request._stream = _CountingStream(stream, limit)
        return self.get_response(request)

    def _too_big(self, request, limit):
        message = f"That is more than this page accepts ({_megabytes(limit)}). Please send something smaller."
        if request.headers.get("HX-Request"):
            response = HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        else:
            html = render_to_string("413.html", {"message": message}, request=request)
            response = HttpResponse(html, status=413)
        return response


class RetryAfterMiddleware:
    """Every 429 tells the client when to try again (ours set the exact wait; allauth's get a minute)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(DEFAULT_RETRY_AFTER)
        return response


class BadInputMiddleware:
    """Answer a NUL character in the path or the query string with a clear 400.

    Text columns cannot hold it, so any lookup with it would fail in the database and
    answer 500. (Ids too big for a column already find nothing: Django 5 turns such
    lookups into empty results.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "\x00" in request.META.get("QUERY_STRING", "") or _has_nul(request.GET):
            context = {"message": "That address holds a character we cannot read. Check the link and try again."}
            html = render_to_string("400.html", context, request=request)
            return HttpResponse(html, status=400)
        return self.get_response(request)


def _has_nul(query):
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists())
