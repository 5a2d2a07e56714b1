"""Fixed-window rate limits kept in the cache, and the one error every app raises past a limit.

Services call :func:`hit` with a key naming who does what (``post:<user id>``) and a
rate such as ``"10/m"``; past the limit it raises :class:`RateLimited`, which views
answer with 429 and a ``Retry-After`` header.
"""

from django.core.cache import cache
from django.utils import timezone

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class RateLimited(Exception):
    """Someone did something faster than its limit allows; ``wait`` is the seconds until they may again."""

    def __init__(self, wait, message=None):
        self.wait = max(1, int(wait))
        message = message or "You are doing that very quickly. Please wait {wait} seconds and try again."
        super().__init__(message.format(wait=self.wait))


def parse_rate(rate):
    """``"10/m"`` -> (10, 60). An empty rate means no limit: (0, 0)."""
    if not rate:
        return 0, 0
    count, _, period = rate.partition("/")
    return int(count), _PERIODS.get(period.strip()[:1] or "m", 60)


def hit(key, rate, *, message=None):
    """Count one action under ``key``; raise RateLimited once ``rate`` is exceeded in the current window.

    ``message`` may name ``{wait}``, the seconds left in the window.
    """
    limit, window = parse_rate(rate)
    if not limit:
        return
    now = int(timezone.now().timestamp())
    bucket = now // window
    cache_key = f"ratelimit:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # evicted between add and incr
        cache.set(cache_key, 1, timeout=window + 1)
        count = 1
    if count > limit:
        raise RateLimited(wait=(bucket + 1) * window - now, message=message)
