"""Reads of the resource library shared by pages, panels and the digest. Fixed query counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page
from django.db import connection
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from communities.models import Community, FocusArea
from communities.permissions import Access, visible_q
from core import search as core_search
from core.compiled import instance_builder
from discussions.selectors import CountedPaginator, requested_page
from resources.models import Collection, CollectionItem, CurationDecision, Resource, SavedResource, UsefulMark


def _with_viewer_marks(qs: QuerySet[Resource], viewer: Any) -> QuerySet[Resource]:
    if viewer is None or not viewer.is_authenticated:
        return qs.annotate(is_useful_to_me=Value(False), is_saved_by_me=Value(False))
    return qs.annotate(
        is_useful_to_me=Exists(UsefulMark.objects.filter(resource=OuterRef("pk"), user=viewer)),
        is_saved_by_me=Exists(SavedResource.objects.filter(resource=OuterRef("pk"), user=viewer)),
    )


def search_resources(qs: QuerySet[Resource], query: str) -> QuerySet[Resource]:
    """The library's search box: every word must match, stemmed (PostgreSQL full text, SQLite FTS5), ranked."""
    query = (query or "").strip()
    if not query:
        return qs
    if settings.USING_POSTGRES:
        search = SearchQuery(query, config="english", search_type="websearch")
        return qs.filter(search_vector=search).annotate(rank=SearchRank(F("search_vector"), search))
    terms = core_search.parse(query)
    if not terms:
        return qs.none()
    return core_search.matching(qs, terms).annotate(rank=Value(1.0))


def search_section(
    *,
    viewer: User,
    terms: core_search.Terms,
    scope: core_search.Scope,
    filters: core_search.Filters,
    page_number: int | str | None,
    per_page: int,
) -> core_search.Section:
    """Approved and featured resources matching ``terms`` in communities ``scope`` allows (site search): two queries."""
    rows = core_search.Rows(
        Resource,
        ("resources", scope, filters),
        lambda: filters.apply(Resource.objects.filter(scope.q()).visible(), author_field="submitted_by"),
    )
    return core_search.ranked_section(
        rows,
        terms,
        kind="resources",
        label="Resources",
        template="resources/includes/search_hits.html",
        page_number=page_number,
        per_page=per_page,
        snippet_field="description",
    )


def resources_for_library(*, access: Access) -> QuerySet[Resource]:
    """Resources ``access`` may list in a community, with submitter and focus areas: 2 queries.

    (Neither the library's rows nor the API's show the viewer's useful and saved marks: the detail page
    reads those.)
    """
    qs = Resource.objects.filter(community=access.community)
    qs = qs.visible_to(access) if access.may_moderate else qs.visible()
    return qs.select_related("submitted_by").prefetch_related("focus_areas")


# What a row of the library page shows (resources/includes/resource_card.html), and so all it loads.
LIBRARY_ROW_FIELDS = (
    "community_id", "title", "kind", "status", "link_status", "created_at", "useful_count", "grade_bands",
    "submitted_by__id", "submitted_by__username", "submitted_by__display_name",
)  # fmt: skip


def library_rows(*, access: Access) -> QuerySet[Resource]:
    """``resources_for_library`` loading only what the library page's rows show: 2 queries."""
    return resources_for_library(access=access).only(*LIBRARY_ROW_FIELDS)


@dataclass(frozen=True)
class LibraryFilters:
    """What the library's filter form asked for (ResourceFilter's cleaned values; "" for a field left empty)."""

    q: str = ""
    kind: str = ""
    focus_area: int | None = None
    grade_band: str = ""
    subject: str = ""
    status: str = ""
    sort: str = ""


@dataclass
class LibraryPage:
    """What the library shows: a Page of rows (each with its submitter and ``area_names``) and the focus areas
    its filter offers, (id, name) in order."""

    page: Page
    focus_areas: list[tuple[int, str]]


# The library statement's row columns, in Resource's field order (Model.from_db reads them so).
_ROW_COLUMNS = (
    "id", "community_id", "title", "kind", "grade_bands", "submitted_by_id", "created_at", "status", "useful_count",
    "link_status",
)  # fmt: skip
_SUBMITTER_COLUMNS = ("id", "username", "display_name")
# ResourceFilter.qs's orders ({t}: the table's alias; ``rank`` is the search's, as SearchRank ranks).
_LIBRARY_SORTS = {
    "useful": "{t}useful_count DESC, {t}created_at DESC, {t}id DESC",
    "featured": "{t}featured_at DESC NULLS LAST, {t}created_at DESC, {t}id DESC",
    "rank": "{r}rank DESC, {t}created_at DESC, {t}id DESC",
    "": "{t}created_at DESC, {t}id DESC",
}


def library_page(*, access: Access, filters: LibraryFilters | None, page_number: Any, per_page: int) -> LibraryPage:
    """The library's page on PostgreSQL in one statement: what ``library_rows`` filtered by ResourceFilter,
    paged by ``Paginator.get_page``, with the filter's focus areas (``filters`` None: a refused form, no rows).
    Building and compiling those querysets (count, rows, focus areas of the rows and of the form) cost more
    CPU than drawing the page."""
    community = access.community
    where = ["t.community_id = %s"]
    params: list[Any] = [community.pk]
    rank = "NULL::real"
    rank_params: list[Any] = []
    if filters is None:
        where.append("FALSE")
        filters = LibraryFilters()
    if not access.may_moderate:
        where.append("t.status IN (%s, %s)")
        params.extend(Resource.VISIBLE_STATUSES)
    query = filters.q.strip()
    if query:
        where.append("t.search_vector @@ websearch_to_tsquery('english'::regconfig, %s)")
        params.append(query)
        rank = "ts_rank(t.search_vector, websearch_to_tsquery('english'::regconfig, %s))"
        rank_params.append(query)
    if filters.kind:
        where.append("t.kind = %s")
        params.append(filters.kind)
    resource_t, user_t, area_t = Resource._meta.db_table, User._meta.db_table, FocusArea._meta.db_table
    through_t = Resource.focus_areas.through._meta.db_table
    if filters.focus_area is not None:
        where.append(f"EXISTS (SELECT 1 FROM {through_t} rf WHERE rf.resource_id = t.id AND rf.focusarea_id = %s)")  # noqa: S608
        params.append(filters.focus_area)
    for column, code in (("grade_bands", filters.grade_band), ("subjects", filters.subject)):
        if code:
            where.append(f"t.{column}::text LIKE %s")
            params.append(f"%,{connection.ops.prep_for_like_query(code)},%")
    if filters.status:
        where.append("t.status = %s")
        params.append(filters.status)
    sort = filters.sort if filters.sort in ("useful", "featured") else "rank" if query and not filters.sort else ""
    order = _LIBRARY_SORTS[sort]
    kept = " AND ".join(where)
    columns = ", ".join(f"t.{c}" for c in _ROW_COLUMNS)
    shown = ", ".join(f"r.{c}" for c in _ROW_COLUMNS)
    submitter = ", ".join(f"u.{c}" for c in _SUBMITTER_COLUMNS)
    # The count first (the page number depends on it), then the page of rows with their submitters and focus
    # areas, and the community's focus areas for the form.
    sql = f"""
        WITH counted AS MATERIALIZED (
            SELECT count(*) AS total FROM {resource_t} t WHERE {kept}
        ), numbered AS MATERIALIZED (
            SELECT counted.total, LEAST(%s, GREATEST(CEIL(counted.total / %s::numeric)::bigint, 1)) AS page_number,
                   (SELECT json_agg(json_build_array(a.id, a.name) ORDER BY a.position, a.name)
                      FROM {area_t} a WHERE a.community_id = %s) AS areas
            FROM counted
        )
        SELECT n.total, n.page_number, n.areas, {shown}, {submitter},
               (SELECT json_agg(a.name ORDER BY a.position, a.name)
                  FROM {through_t} rf JOIN {area_t} a ON a.id = rf.focusarea_id WHERE rf.resource_id = r.id)
        FROM numbered n
        LEFT JOIN LATERAL (
            SELECT {columns}, t.featured_at, {rank} AS rank FROM {resource_t} t WHERE {kept}
            ORDER BY {order.format(t="t.", r="")}
            LIMIT %s OFFSET (n.page_number - 1) * %s
        ) r ON TRUE
        LEFT JOIN {user_t} u ON u.id = r.submitted_by_id
        ORDER BY {order.format(t="r.", r="r.")}
    """  # noqa: S608 - names from code, values in params
    sent = [
        *params,
        requested_page(page_number),
        per_page,
        community.pk,
        *rank_params,
        *params,
        per_page,
        per_page,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, sent)
        rows = cursor.fetchall()
    total, number, areas = rows[0][:3]
    db = connection.alias
    width = len(_ROW_COLUMNS)
    build_resource, build_person = instance_builder(Resource), instance_builder(User)
    people: dict[int, User] = {}
    resources = []
    for row in rows:
        values = row[3 : 3 + width]
        if values[0] is None:  # a page with no rows (the LEFT JOIN's one empty row)
            continue
        resource = build_resource(Resource, db, _ROW_COLUMNS, values)
        person = row[3 + width : 3 + width + len(_SUBMITTER_COLUMNS)]
        if person[0] is None:
            resource.submitted_by = None
        else:
            found = people.get(person[0])
            if found is None:
                found = people[person[0]] = build_person(User, db, _SUBMITTER_COLUMNS, person)
            resource.submitted_by = found
        resource.community = community
        resource.area_names = row[-1] or []  # as with_area_names gives them
        resources.append(resource)
    page = Page(resources, int(number), CountedPaginator([], per_page, count=total))
    return LibraryPage(page, [(pk, name) for pk, name in areas or ()])


def with_area_names(resources: Iterable[Resource]) -> list[Resource]:
    """``resources`` (focus areas prefetched) as a list, each with ``area_names``, its focus areas' names in
    order, as the library's rows show them."""
    resources = list(resources)
    for resource in resources:
        resource.area_names = [area.name for area in resource.focus_areas.all()]  # type: ignore[attr-defined]
    return resources


def resource_for_page(*, access: Access, pk: int) -> QuerySet[Resource]:
    """One resource ``access`` may open (404 otherwise, via get_object_or_404 in the view)."""
    qs = (
        Resource.objects.filter(community=access.community)
        .visible_to(access)
        .select_related("submitted_by", "curated_by", "community")
        .prefetch_related("focus_areas")
    )
    return _with_viewer_marks(qs, access.user).filter(pk=pk)


def collections_of_resource(*, resource: Resource) -> QuerySet[Collection]:
    return Collection.objects.filter(items__resource=resource).order_by("position")


def review_queue(*, community: Community) -> tuple[QuerySet[Resource], QuerySet[Resource]]:
    """What moderators must look at: submissions oldest first, and live resources with a broken link."""
    base = Resource.objects.filter(community=community).select_related("submitted_by").prefetch_related("focus_areas")
    submitted = base.filter(status=Resource.Status.SUBMITTED).order_by("created_at")
    broken = base.filter(
        link_status=Resource.LinkStatus.BROKEN, status__in=[*Resource.VISIBLE_STATUSES, Resource.Status.SUBMITTED]
    ).order_by("-link_checked_at")
    return submitted, broken


def collections_for_community(*, community: Community, limit: int | None = None) -> QuerySet[Collection]:
    """Collections with their item counts: one query."""
    qs = Collection.objects.filter(community=community).annotate(
        num_items=Count("items", filter=Q(items__resource__status__in=Resource.VISIBLE_STATUSES))
    )
    return qs[:limit] if limit else qs


def collection_items(*, collection: Collection, visible_only: bool = True) -> QuerySet[CollectionItem]:
    """A collection's items in order with their resources and submitters: one query."""
    qs = CollectionItem.objects.filter(collection=collection).select_related("resource", "resource__submitted_by")
    if visible_only:
        qs = qs.filter(resource__status__in=Resource.VISIBLE_STATUSES)
    return qs.order_by("position", "pk")


def featured_for_home(
    *, community: Community, limit: int = 4, month_start: datetime | None = None
) -> QuerySet[Resource]:
    """Featured resources, this month's first (``month_start``: by default the start of this month in the
    current time zone), then the most recently featured: one query."""
    if month_start is None:
        month_start = this_month_start()
    return (
        Resource.objects.filter(community=community, status=Resource.Status.FEATURED)
        .annotate(this_month=ExpressionWrapper(Q(featured_at__gte=month_start), output_field=BooleanField()))
        .order_by("-this_month", "-featured_at")[:limit]
    )


def this_month_start() -> datetime:
    """The start of the current month in the current time zone."""
    return timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def featured_and_approved(
    *, communities: Iterable[Community | int], since: datetime, until: datetime
) -> QuerySet[Resource]:
    """Resources of ``communities`` featured or approved in [since, until), live ones only, community loaded.

    For the monthly digest: featured first (newest first), then approved. One query.
    """
    in_window = Q(featured_at__gte=since, featured_at__lt=until) | Q(approved_at__gte=since, approved_at__lt=until)
    return (
        Resource.objects.filter(community__in=communities, status__in=Resource.VISIBLE_STATUSES)
        .filter(in_window)
        .select_related("community", "submitted_by")
        .annotate(
            is_featured_in_window=ExpressionWrapper(
                Q(status=Resource.Status.FEATURED, featured_at__gte=since, featured_at__lt=until),
                output_field=BooleanField(),
            ),
            sort_time=Coalesce("featured_at", "approved_at"),
        )
        .order_by("-is_featured_in_window", "-sort_time", "-pk")
    )


def saved_resources_of(*, user: User) -> QuerySet[SavedResource]:
    """A person's saved resources they may still see, across communities: one query."""
    return (
        SavedResource.objects.filter(user=user, resource__status__in=Resource.VISIBLE_STATUSES)
        .filter(visible_q(user, prefix="resource__community__"))
        .select_related("resource", "resource__community")
        .order_by("-created_at")
    )


def decisions_of(*, resource: Resource) -> QuerySet[CurationDecision]:
    return resource.decisions.select_related("moderator")
