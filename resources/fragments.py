"""The library's filter form and its rows, each drawn once and kept in the cache (issue 19).

The filter form (resources/includes/filter_form.html: a search box and six selects, one with the
community's focus areas) was the largest part of the library page, and each resource row was a
template render. Both are kept in the cache under a digest of **everything they show**, so nothing
is ever invalidated and a change shows at once; stale entries expire:

- the form: the values sent for its fields (what it shows selected, and its errors), whether it
  has the moderators' status field, the community's focus areas (ids and names, in order), the
  language and the source of the templates and code that draw it;
- a row: the resource's id, title, kind, status, link state, submitter, date, useful count, focus
  areas and grade bands, the community's slug (its link), whether the viewer moderates (the broken
  link badge), the time zone, the language and the sources (core.fragments.drawn_rows).

Both are drawn in a context of their own that holds only those values, so what is kept cannot
depend on anything the key leaves out; the page has already checked the viewer may see the
library. When Redis is unreachable the cache is skipped and they are simply drawn.
"""

import hashlib
from types import SimpleNamespace

from django.core.cache import cache
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from core.cache import cache_is_degraded
from core.fragments import drawn_rows, sources_digest

FORM_TEMPLATE = "resources/includes/filter_form.html"
FORM_SOURCES = (
    "templates/resources/includes/filter_form.html",
    "resources/filters.py",
    "resources/models.py",  # the kinds, grade bands, subjects and statuses offered
    "resources/fragments.py",
)
ROW_TEMPLATE = "resources/includes/resource_card.html"
ROW_SOURCES = (
    "templates/resources/includes/resource_card.html",
    "templates/resources/includes/badges.html",
    "resources/models.py",  # grade_band_summary and the kinds' and statuses' labels
    "core/templatetags/icons.py",
    "core/templatetags/dates.py",
    "core/dates.py",
    "resources/fragments.py",
)
SECONDS = 6 * 3600


def filter_form_markup(resource_filter, *, focus_areas) -> SafeString:
    """``resource_filter``'s form as ``filter_form.html`` draws it, from the cache where it can (one round
    trip). ``focus_areas`` are the (id, name) pairs its focus area select offers, in order."""
    form = resource_filter.form
    data = resource_filter.data
    sent = tuple((name, tuple(data.getlist(name)) if data is not None else None) for name in form.fields)
    parts = (sources_digest(FORM_SOURCES), translation.get_language(), resource_filter.is_bound, sent, focus_areas)
    key = "library-form:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    store = None if cache_is_degraded(cache) else cache
    html = store.get(key) if store is not None else None
    if html is None:
        html = get_template(FORM_TEMPLATE).template.render(Context({"form": form}))  # type: ignore[attr-defined]
        if store is not None:
            store.set(key, html, SECONDS)
    return mark_safe(html)  # noqa: S308 - drawn by the (autoescaping) form template


def _shown(resource):
    submitter = resource.submitted_by
    return (
        resource.pk,
        resource.title,
        resource.kind,
        resource.status,
        resource.link_status,
        (submitter.pk, submitter.name) if submitter is not None else None,
        resource.created_at.isoformat(),
        resource.useful_count,
        tuple(resource.area_names),
        resource.grade_bands,
    )


def resource_rows(resources, *, access) -> SafeString:
    """The library's rows as ``{% include "resources/includes/resource_card.html" %}`` for each would draw
    them: one cache round trip, a render only for rows not seen in this state."""
    fixed = {
        "access": SimpleNamespace(may_moderate=bool(access.may_moderate)),
        "community": SimpleNamespace(slug=access.community.slug),
    }
    rows = drawn_rows(
        Context(),
        template=ROW_TEMPLATE,
        name="resource",
        rows=resources,
        shown=_shown,
        sources=ROW_SOURCES,
        extra=fixed,
    )
    return mark_safe("".join(rows))  # noqa: S308 - drawn by the (autoescaping) row template
