"""Whole-page caching for the busiest GET pages, invalidated by content versions.

A cached page is stored under a key made of

- the page's full path (with its query string),
- who is looking: one shared entry for every visitor who is not logged in, and one
  entry *per user* for everyone else, so a page never travels from one account to
  another (membership, roles, drafts, "you marked this helpful" all stay private),
- the viewer's active time zone (times are rendered in it),
- the current version token of every *scope* the page shows: ``c:<slug>`` for a
  community's pages, ``site`` for pages that show several communities (search, the
  site home), and ``all`` for everything.

Any write bumps the versions it touches, so a changed page is never served: a POST,
PUT, PATCH or DELETE under ``/c/<slug>/`` bumps that community (and ``site``), any
other unsafe request except allauth's own bumps ``all`` (a renamed member shows
everywhere), and a saved or deleted row that belongs to a community bumps it too (for
changes made outside a request: Celery tasks, the admin, the shell). Versions change
when the transaction commits. Entries also expire after ``PAGE_CACHE_SECONDS`` so
pages that depend on the clock ("due tomorrow", a poll that just closed) stay
current.

The CSRF token inside a cached page is replaced by a placeholder when the page is
stored and by the viewer's own token when it is served. A page is not cached when the
request carries messages to show, is an htmx request, or when the view set a cookie,
changed the session or answered anything but 200.
"""

import hashlib
import re
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import timezone

CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
_TOKEN = re.compile(rb"\b[a-zA-Z0-9]{64}\b")
_COMMUNITY_PATH = re.compile(r"^/c/([-\w]+)/")
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _version_key(scope):
    return f"pagecache:v:{scope}"


def versions(scopes):
    """The current version token of each scope (one cache round trip)."""
    keys = [_version_key(s) for s in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A scope never bumped (or whose token was evicted) starts at a fresh token,
            # never at a value an older page could have been stored under.
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key)
    return [found[k] for k in keys]


def bump(*scopes):
    """Give each scope a new version now and again when the current transaction commits.

    Now, so the writer's own next page (inside the same transaction, as in tests) is
    fresh; at commit, so a page rendered by someone else from the old rows while the
    transaction was open is never served after it.
    """
    scopes = set(scopes)
    if any(s.startswith("c:") for s in scopes):
        scopes.add("site")

    def apply():
        cache.set_many({_version_key(s): uuid.uuid4().hex for s in scopes}, None)

    apply()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(apply)


def bump_community(slug):
    bump(f"c:{slug}")


def _viewer(request):
    user = request.user
    if not user.is_authenticated:
        return "anon"
    return f"u{user.pk}.{int(user.is_staff)}{int(user.is_superuser)}"


def _has_messages(request):
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def page_key(request, scopes):
    tokens = versions(["all", *scopes])
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    zone = timezone.get_current_timezone_name()
    return f"pagecache:p:{path}:{_viewer(request)}:{zone}:{'.'.join(tokens)}"


def _strip_csrf(request, content):
    """Replace every masked form of the request's CSRF secret in ``content`` by the placeholder."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return content

    def swap(match):
        token = match.group(0).decode()
        return CSRF_PLACEHOLDER.encode() if _unmask_cipher_token(token) == secret else match.group(0)

    return _TOKEN.sub(swap, content)


def _cacheable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(getattr(request, "session", None), "modified", False)
        and not _has_messages(request)
    )


def cached_page(scopes):
    """Cache a GET view's whole page; ``scopes(request, **kwargs)`` names the content it shows.

    Put it outermost, above ``community_view``, so a hit costs no query for the community.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                not settings.PAGE_CACHE_SECONDS
                or request.method != "GET"
                or request.headers.get("HX-Request")
                or _has_messages(request)
            ):
                return view(request, *args, **kwargs)
            key = page_key(request, scopes(request, *args, **kwargs))
            stored = cache.get(key)
            if stored is not None:
                content_type, content = stored
                if CSRF_PLACEHOLDER.encode() in content:
                    content = content.replace(CSRF_PLACEHOLDER.encode(), get_token(request).encode())
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            response = view(request, *args, **kwargs)
            if _cacheable(request, response):
                content = _strip_csrf(request, response.content)
                cache.set(key, (response["Content-Type"], content), settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorator


def community_scope(request, *args, slug, **kwargs):
    return [f"c:{slug}"]


def site_scope(request, *args, **kwargs):
    return ["site"]


class PageCacheInvalidationMiddleware:
    """Bump the versions an unsafe request may have changed, whatever it answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS:
            match = _COMMUNITY_PATH.match(request.path_info)
            if match:
                bump_community(match.group(1))
            elif not request.path_info.startswith("/accounts/"):
                bump("all")
        return response
