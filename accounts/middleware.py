import zoneinfo
from urllib.parse import unquote

from django.utils import timezone

# Set by static/js/site.js from the browser's own time zone, so visitors who are
# not logged in still see times in their zone.
TZ_COOKIE = "tz"


def _zone(name):
    # The cookie is whatever the browser sent: a name too long for a file (OSError) must not be a 500.
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def browser_zone_name(request):
    """The zone the visitor's browser reported (the ``tz`` cookie), if it is one we know; else None."""
    name = unquote(request.COOKIES.get(TZ_COOKIE, "")) if request is not None else ""
    return name if _zone(name) is not None else None


class TimezoneMiddleware:
    """Show times in the viewer's zone: the user's setting, else the browser's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            zone = _zone(user.time_zone)
        if zone is None:
            zone = _zone(unquote(request.COOKIES.get(TZ_COOKIE, "")))
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
