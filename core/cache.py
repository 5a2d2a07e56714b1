"""A Redis cache that keeps the site up when Redis is not: it falls back to a database cache.

Caching is an optimisation, but some of what lives in the cache must keep working without
Redis: rate limits (ours in core/ratelimit.py and allauth's login limits and locks) and
the page cache's version tokens. ``FailoverRedisCache`` is Django's own ``RedisCache``;
when a call fails to reach Redis (connection refused, timeout) it answers that call, and
every call for the next ``RETRY_SECONDS``, from the cache alias named by ``FALLBACK`` (a
``DatabaseCache`` on PostgreSQL, shared by every web process, so a limit counted on one
machine holds on the others). Then it tries Redis again.

``is_degraded()`` tells code that should rather skip the cache than use the fallback
(the whole-page cache: pages are never written to the database on GET).
django-redis's IGNORE_EXCEPTIONS only swallows errors, which would let every rate limit
and allauth's lock fail open or shut; hence this small backend.
"""

import logging
import time

import redis
from django.core.cache import caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)
UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class KeptClientRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool (issue 19).

    Django's makes a new ``redis.Redis`` object for every call (about 40 µs of CPU); the object is
    only a handle on the pool, safe to share between threads, so one per pool is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class FailoverRedisCache(RedisCache):
    # Per process, shared by the per-thread instances Django makes.
    _down_until = 0.0

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self._fallback_alias = options.pop("FALLBACK")
        self._retry_seconds = float(options.pop("RETRY_SECONDS", 5))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = KeptClientRedisCacheClient

    @classmethod
    def is_degraded(cls):
        return time.monotonic() < cls._down_until

    def check_primary(self):
        """Raise unless Redis itself answers (the health check asks this, not the fallback)."""
        self._cache.get_client(write=True).ping()

    def _call(self, name, *args, **kwargs):
        if not self.is_degraded():
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as exc:
                FailoverRedisCache._down_until = time.monotonic() + self._retry_seconds
                logger.warning("Redis unreachable (%s); the cache falls back to %r", exc, self._fallback_alias)
        return getattr(caches[self._fallback_alias], name)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version)

    def clear(self):
        return self._call("clear")


def cache_is_degraded(cache):
    """True while ``cache`` answers from its fallback (Redis unreachable)."""
    return bool(getattr(cache, "is_degraded", lambda: False)())
