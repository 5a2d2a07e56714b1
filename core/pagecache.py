"""Whole-page cache for visitors: the busiest public pages, computed once and shared for a short time.

Only a request that carries no session (a visitor who is not logged in) is ever answered
from, or stored in, the cache; a logged-in page is computed every time. So a cached page
holds nothing personal: no name, no membership, no CSRF token (a page whose rendering
asked for the token is not stored, and the htmx CSRF header comes from the cookie in
``static/js/site.js``, not from the page).

The key is made of

- the scheme, host and path of the request,
- a normalised query: only the parameters the page declares (``params``), in a fixed
  order; the page itself sees only those, so ``?utm=1`` shares the entry of the bare page
  and can neither make new entries nor change what is shown,
- the visitor's time zone (times are rendered in it),
- the version tokens of the scopes it shows: ``c:<slug>`` for a community's pages,
  ``site`` for pages across communities, ``all`` for everything.

An unsafe request under ``/c/<slug>/`` bumps that community's token (and ``site``); any
other unsafe request outside ``/accounts/`` bumps ``all``; a view marked
:func:`keeps_visitor_pages` (it changes only the requester's own state, such as a read mark)
bumps nothing. Without that mark, every thread a member opened retired every cached page of
its community and the site's home, directory and search: the thread page POSTs its read mark
as it loads. Everything else (a Celery
task, the admin's bulk actions, the shell) is covered by the short lifetime,
``PAGE_CACHE_SECONDS``, or calls :func:`bump_community`.

Where the lookup sits: ``@cached_page`` goes *below* ``@community_view``, so the
community's visibility check runs on every request, hits included; a cached page of a
community is never served to someone the check would refuse, whatever invalidation
missed. Site-wide pages (home, directory, search) have no such check: they show only
what a visitor may see.
"""

import hashlib
import re
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone

from core.cache import cache_is_degraded
from core.fragments import sources_digest

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_COMMUNITY_PATH = re.compile(r"^/c/([-\w]+)/")
# A query value longer than this, or more values than this for one name, is not cached.
MAX_VALUE_LENGTH = 200
MAX_VALUES = 5


def _version_key(scope):
    return f"pagecache:v:{scope}"


def versions(scopes):
    """The current version token of each scope (one cache round trip when they exist)."""
    keys = [_version_key(s) for s in scopes]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            # A scope never bumped (or whose token was evicted) starts at a fresh token,
            # never at a value an older page could have been stored under.
            cache.add(key, uuid.uuid4().hex, None)
            found[key] = cache.get(key) or uuid.uuid4().hex
    return [found[k] for k in keys]


def bump(*scopes):
    """Give each scope a new version now and again when the current transaction commits.

    Now, so the writer's next page is fresh; at commit, so a page rendered by someone else
    from the old rows while the transaction was open is never served after it.
    """
    if cache_is_degraded(cache):
        return  # nothing is stored while Redis is away, and entries expire on their own
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


def _has_messages(request):
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) > 0


def _is_visitor(request):
    """No session cookie and nobody logged in: the request can share a page with every other visitor."""
    user = getattr(request, "user", None)
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and not (user is not None and user.is_authenticated)


def _normalised_query(request, params):
    """The declared parameters of the query as a QueryDict, or None when a value is too big to cache."""
    query = QueryDict(mutable=True)
    for name in sorted(params):
        values = request.GET.getlist(name)
        if len(values) > MAX_VALUES or any(len(v) > MAX_VALUE_LENGTH for v in values):
            return None
        if values:
            query.setlist(name, values)
    query._mutable = False
    return query


def _page_entry_key(request, query):
    where = "\n".join(
        [request.scheme, request.get_host(), request.path, query.urlencode(), timezone.get_current_timezone_name()]
    )
    return f"pagecache:p:{hashlib.sha256(where.encode()).hexdigest()[:40]}"


def lookup(request, query, scopes):
    """``(entry key, current tokens, stored page or None)`` in one cache round trip.

    An entry holds the tokens it was stored under; it is a hit only while they are still the
    current tokens of its scopes, so a bump retires it as a new key once did. Only a scope
    never bumped (or whose token was evicted) costs more round trips, once.
    """
    entry = _page_entry_key(request, query)
    tokens, stored = _current(entry, scopes)
    return entry, tokens, stored


def _current(entry, scopes):
    """The current tokens of ``all`` and ``scopes``, and what ``entry`` holds if it was stored under exactly
    those tokens (else None), in one cache round trip (more only for a token never set or evicted)."""
    scopes = ["all", *scopes]
    token_keys = [_version_key(s) for s in scopes]
    found = cache.get_many([*token_keys, entry])
    tokens = [found.get(k) for k in token_keys]
    if None in tokens:
        tokens = versions(scopes)
    stored = found.get(entry)
    if stored is not None and list(stored[0]) != tokens:
        stored = None
    return tokens, stored


def _storable(request, response, csrf_used):
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not csrf_used
        and not (session is not None and (session.modified or session.session_key))
        and not _has_messages(request)
    )


def _scope_of(view, args):
    access = args[0] if args else None
    community = getattr(access, "community", None)
    if community is None:
        raise ImproperlyConfigured(
            f"@cached_page(community=True) on {view.__qualname__} must sit below @community_view, "
            "so the visibility check runs before the cache is read."
        )
    return [f"c:{community.slug}"]


def cached_page(*, params=(), community=True):
    """Cache a GET page for visitors; ``params`` are the query parameters the page reads.

    ``community=True``: a page under ``/c/<slug>/``, decorated below ``community_view``
    (it is called as ``view(request, access, ...)``). ``community=False``: a page that
    shows several communities (``site`` scope) and checks nothing itself.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            scopes = _scope_of(view, args) if community else ["site"]
            if (
                not settings.PAGE_CACHE_SECONDS
                or cache_is_degraded(cache)  # never pages into the database fallback
                or request.method != "GET"
                or request.headers.get("HX-Request")
                or not _is_visitor(request)
                or _has_messages(request)
            ):
                return view(request, *args, **kwargs)
            query = _normalised_query(request, params)
            if query is None:
                return view(request, *args, **kwargs)
            # The page sees only what its key holds (request.GET and the raw query string that
            # get_full_path() reads), so an entry always matches its request.
            request.GET = query
            request.META["QUERY_STRING"] = query.urlencode()
            key, tokens, stored = lookup(request, query, scopes)
            if stored is not None:
                _, content_type, content = stored
                response = HttpResponse(content, content_type=content_type)
                response["X-Page-Cache"] = "hit"
                return response
            csrf_flag = request.META.pop("CSRF_COOKIE_NEEDS_UPDATE", False)
            response = view(request, *args, **kwargs)
            csrf_used = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            if csrf_flag:
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
            if _storable(request, response, csrf_used):
                entry = (tuple(tokens), response["Content-Type"], response.content)
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                response["X-Page-Cache"] = "miss"
            return response

        return wrapper

    return decorator


def keeps_visitor_pages(view):
    """Mark a view whose unsafe requests change only the requester's own state (what they have
    read, their notifications and email settings): nothing any visitor's page shows, so
    :class:`PageCacheInvalidationMiddleware` bumps no version for it. Put it outermost; the
    mark is read off the resolved view."""
    view.keeps_visitor_pages = True
    return view


class PageCacheInvalidationMiddleware:
    """Bump the versions an unsafe request may have changed, whatever it answered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in UNSAFE_METHODS:
            view = getattr(getattr(request, "resolver_match", None), "func", None)
            if getattr(view, "keeps_visitor_pages", False):
                return response
            match = _COMMUNITY_PATH.match(request.path_info)
            if match:
                bump_community(match.group(1))
            elif not request.path_info.startswith("/accounts/"):
                bump("all")
        return response


def keeps(seconds):
    """Whether ``kept`` keeps anything with this lifetime now (it is on, and Redis is there)."""
    return bool(seconds) and not cache_is_degraded(cache)


def kept(*, scopes, key, build, seconds, sources=()):
    """``build()``, kept in the cache for ``seconds`` while the version tokens of ``scopes`` (and ``all``) stay
    what they were when it was built: what a page shows every reader alike (a community's recent threads, its
    focus areas), for members too, with the visitors' page cache's freshness. Every request that may change it
    bumps a token (``PageCacheInvalidationMiddleware``, ``bump``), so its next page is fresh; a change from
    elsewhere (a task, the shell) shows within ``seconds``. ``key`` names the value and holds everything that
    shapes it besides the scopes' content (ids, the month); ``build()`` must read nothing about the reader.
    ``sources``: the files (from the project's root) of the models and code that make the value, so a deploy
    that changes them never reads what an older one kept. One cache round trip for a hit; built every time
    with ``seconds`` 0 or Redis away.
    """
    if not keeps(seconds):
        return build()
    entry = f"kept:{key}:{sources_digest(tuple(sources))}"
    tokens, stored = _current(entry, scopes)
    if stored is not None:
        return stored[1]
    value = build()
    cache.set(entry, (tuple(tokens), value), seconds)
    return value
