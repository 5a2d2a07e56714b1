"""The site's one way of writing dates and times, in the viewer's zone with the zone named.

Three styles, used everywhere (pages, emails, feeds' HTML, Python messages):

- ``day``: "Tue, Jul 14, 2026"
- ``when``: "Tue, Jul 14, 2026, 5:00 PM CDT" (``clock`` alone: "5:00 PM CDT")
- ``month``: "July 2026"

and two machine forms: ``iso`` for ``<time datetime>`` (seconds, with the offset) and
``month_key`` ("2026-07") for ``?month=`` links. Templates use them through
``{% load dates %}`` (core/templatetags/dates.py); no template writes a format string.
"""

import datetime as dt

from django.utils import dateformat, timezone

DAY = "D, M j, Y"
CLOCK = "g:i A"
MONTH = "F Y"


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def zone_name(value):
    """The zone's abbreviation ("CDT", "UTC"); "UTC-03" where the zone has no letters of its own."""
    name = _local(value).tzname() or ""
    if name[:1] in "+-" and name:
        return f"UTC{name}"
    return name


def day(value):
    if not value:
        return ""
    return dateformat.format(_local(value), DAY)


def clock(value):
    if not isinstance(value, dt.datetime):
        return ""
    local = _local(value)
    zone = zone_name(local) if timezone.is_aware(local) else ""
    return f"{dateformat.format(local, CLOCK)} {zone}".strip()


def when(value):
    if not value:
        return ""
    if not isinstance(value, dt.datetime):
        return day(value)
    return f"{day(value)}, {clock(value)}"


def month(value):
    if not value:
        return ""
    return dateformat.format(_local(value), MONTH)


def weekday(value):
    """The short weekday name ("Tue"), for calendar column headings."""
    if not value:
        return ""
    return dateformat.format(_local(value), "D")


def iso(value):
    """For ``<time datetime>``: 2026-07-14T17:00:00-05:00, or 2026-07-14 for a date."""
    if not value:
        return ""
    local = _local(value)
    if isinstance(local, dt.datetime):
        return local.isoformat(timespec="seconds")
    return local.isoformat()


def month_key(value):
    """For ``?month=`` and ``?from=`` links: 2026-07."""
    if not value:
        return ""
    return dateformat.format(_local(value), "Y-m")
