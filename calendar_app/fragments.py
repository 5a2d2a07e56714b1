"""The month calendar's grid, drawn once and kept in the cache (issue 19).

Expanding every series of the month and drawing its 42 days, each occurrence twice (the grid and
the list for small screens), was most of a member's month page. ``month_markup`` reads the few
fields the grid shows of the month's activities and their exceptions (one query), and keeps the
drawn grid in the cache under a digest of **everything it shows**: those rows, the community's
slug (the links), the month, today's date (the day marked today), the time zone, the language
and the source of the templates and code that draw it. So nothing is ever invalidated: a new,
changed, moved, cancelled or deleted activity changes the rows and so the key, and the page
shows it at once; stale entries expire.

The grid reads nothing about the viewer: everyone who may see the community's calendar sees the
same grid (the view checks that first), and the key holds the community through its slug and the
activities' ids, so an entry is only ever read on the calendar it was drawn for. The grid is drawn
in a context of its own that holds only the weeks and occurrences. When Redis is unreachable the
cache is skipped and the grid is simply drawn.
"""

import hashlib
from datetime import date

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from calendar_app import selectors
from communities.models import Community
from core.cache import cache_is_degraded
from core.fragments import sources_digest

TEMPLATE = "calendar_app/includes/month_grid.html"
# Templates and Python that draw the grid: a deploy that changes any of them changes every key.
SOURCES = (
    "templates/calendar_app/includes/month_grid.html",
    "calendar_app/fragments.py",
    "calendar_app/selectors.py",
    "calendar_app/models.py",
    "calendar_app/recurrence.py",
    "core/templatetags/icons.py",
    "core/templatetags/dates.py",
    "core/dates.py",
)
SECONDS = 6 * 3600


def month_key(*, community: Community, first: date, rows) -> str:
    parts = (
        sources_digest(SOURCES),
        timezone.get_current_timezone_name(),
        translation.get_language(),
        timezone.localdate().isoformat(),
        first.isoformat(),
        community.pk,
        community.slug,
        rows,
    )
    return "month-grid:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def draw_month(*, community: Community, first: date, rows=None) -> str:
    """The grid's markup, drawn now: one query unless ``rows`` (``selectors.month_rows``) are given."""
    weeks, occurrences = selectors.month_grid(community=community, first=first, rows=rows)
    values = {
        "first": first,
        "weeks": weeks,
        "occurrences": occurrences,
        "weekdays": [weeks[0][i].date for i in range(7)],
    }
    return get_template(TEMPLATE).template.render(Context(values))  # type: ignore[attr-defined] # the engine's


def month_markup(*, community: Community, first: date) -> SafeString:
    """The month grid of ``community`` for the month starting ``first``, as ``month_grid.html`` draws it in
    the viewer's zone: one query and one cache round trip; drawn only when this state was not seen."""
    _weeks, start, end = selectors.month_window(first)
    rows = selectors.month_rows(community=community, start=start, end=end)
    store = None if cache_is_degraded(cache) else cache
    key = month_key(community=community, first=first, rows=rows)
    html = store.get(key) if store is not None else None
    if html is None:
        html = draw_month(community=community, first=first, rows=rows)
        if store is not None:
            store.set(key, html, SECONDS)
    return mark_safe(html)  # noqa: S308 - drawn by the (autoescaping) grid template
