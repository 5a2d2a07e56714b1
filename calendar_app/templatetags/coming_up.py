"""``{% coming_up_rows occurrences %}``: the community home's "Coming up" rows through the fragment cache.

Each row (``coming_up_row.html``) is drawn once and kept under a digest of everything it shows: the
activity's id, kind, title and all-day flag, the occurrence's start, date and link, with the time zone,
the language and the sources (core.fragments.drawn_rows); it was about 2 ms of the community home's
template rendering a request. The row is drawn in a context of its own holding only the occurrence,
and the panel has already checked the viewer may see the calendar.
"""

from django import template

from core.fragments import render_rows

register = template.Library()

ROW_TEMPLATE = "calendar_app/includes/coming_up_row.html"
ROW_SOURCES = (
    "templates/calendar_app/includes/coming_up_row.html",
    "calendar_app/models.py",  # Occurrence.url and .local_date, the kinds' labels
    "core/templatetags/icons.py",
    "core/templatetags/dates.py",
    "core/dates.py",
    "calendar_app/templatetags/coming_up.py",
)


def _shown(occurrence):
    activity = occurrence.activity
    return (
        activity.pk,
        activity.kind,
        activity.title,
        activity.all_day,
        occurrence.start,
        occurrence.local_date,
        occurrence.url,
    )


@register.simple_tag(takes_context=True)
def coming_up_rows(context, occurrences):
    return render_rows(context, template=ROW_TEMPLATE, name="o", rows=occurrences, shown=_shown, sources=ROW_SOURCES)
