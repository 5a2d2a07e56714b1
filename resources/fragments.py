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
from dataclasses import astuple, dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.template import Context
from django.template.loader import get_template
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from core.cache import cache_is_degraded
from core.fragments import drawn_rows, sources_digest
from resources import selectors
from resources.filters import ResourceFilter
from resources.selectors import LibraryFilters, LibraryPage

FORM_TEMPLATE = "resources/includes/filter_form.html"
FORM_SOURCES = (
    "templates/resources/includes/filter_form.html",
    "resources/filters.py",
    "resources/models.py",  # the kinds, grade bands, subjects and statuses offered
    "resources/selectors.py",  # LibraryFilters, kept as a tuple of its fields
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


@dataclass(frozen=True)
class FilterForm:
    """The library's filter form as the page shows it, and what validating it gave."""

    markup: SafeString
    valid: bool
    filters: LibraryFilters | None  # what the valid form asks for; None when it is refused


def filter_form(data, *, access, focus_areas, validated=None) -> FilterForm:
    """ResourceFilter's form for ``data`` (the GET parameters or None) drawn by ``filter_form.html`` and
    validated, from the cache where it can (one round trip). ``focus_areas``: the (id, name) pairs of the
    community's focus areas, in order; ``validated``: a ResourceFilter of ``data`` already built, if any."""
    sent = sent_fields(data, access=access)
    parts = (sources_digest(FORM_SOURCES), translation.get_language(), bool(access.may_moderate), sent, focus_areas)
    key = "library-form:" + hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    store = None if cache_is_degraded(cache) else cache
    found = store.get(key) if store is not None else None
    if found is None:
        resource_filter = validated or ResourceFilter(data, access=access)
        valid = not resource_filter.is_bound or resource_filter.form.is_valid()
        resource_filter.show_focus_areas(focus_areas)
        html = get_template(FORM_TEMPLATE).template.render(Context({"form": resource_filter.form}))  # type: ignore[attr-defined]
        found = (html, valid, astuple(resource_filter.wanted()) if valid else None)
        if store is not None:
            store.set(key, found, SECONDS)
    html, valid, wanted = found
    markup = mark_safe(html)  # noqa: S308 - drawn by the (autoescaping) form template
    return FilterForm(markup, valid, LibraryFilters(*wanted) if wanted is not None else None)


def sent_fields(data, *, access) -> tuple:
    """What ``data`` sends for each of the form's fields: all the form's markup and validation depend on."""
    return tuple(
        (name, tuple(data.getlist(name)) if data is not None else None) for name in ResourceFilter.field_names(access)
    )


# The filters each set of sent fields was last validated to in this process: the library statement runs with
# them before the form's cached outcome (keyed by the focus areas the statement reads) confirms them.
_VALIDATED: dict = {}
VALIDATED_KEPT = 1000


def library_listing(data, *, access, page_number, per_page, statement=None) -> tuple[FilterForm, LibraryPage]:
    """The library page's filter form and the LibraryPage it picks out (no rows for a refused form). On
    PostgreSQL (``statement``) ``selectors.library_page``, mostly without building the filter at all;
    elsewhere ResourceFilter's querysets, which that statement must equal."""
    if statement is None:
        statement = settings.USING_POSTGRES
    if not statement:
        queryset = selectors.library_rows(access=access)
        resource_filter = ResourceFilter(data, queryset=queryset, access=access)
        valid = not resource_filter.is_bound or resource_filter.form.is_valid()
        page = Paginator(resource_filter.qs if valid else queryset.none(), per_page).get_page(page_number)
        if page.paginator.count:
            selectors.with_area_names(page.object_list)
        areas = resource_filter.offered_focus_areas()
        return filter_form(data, access=access, focus_areas=areas, validated=resource_filter), LibraryPage(page, areas)
    remembered = (sent_fields(data, access=access), bool(access.may_moderate))
    validated = None
    try:
        wanted = _VALIDATED[remembered]
    except KeyError:  # not seen in this process: validate first (a focus area's id asks the database)
        validated = ResourceFilter(data, access=access)
        wanted = validated.wanted() if not validated.is_bound or validated.form.is_valid() else None
    listing = selectors.library_page(access=access, filters=wanted, page_number=page_number, per_page=per_page)
    form = filter_form(data, access=access, focus_areas=listing.focus_areas, validated=validated)
    if len(_VALIDATED) >= VALIDATED_KEPT:
        _VALIDATED.clear()
    _VALIDATED[remembered] = form.filters
    if form.filters != wanted:  # the community's focus areas changed since: it validates otherwise now
        again = {"page_number": page_number, "per_page": per_page}
        listing = selectors.library_page(access=access, filters=form.filters, **again)
    return form, listing


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
