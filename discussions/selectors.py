"""Reads that discussion pages, home panels, search and digests share. Each runs a fixed number of queries."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils.text import slugify

from accounts.models import User
from communities.models import Community, FocusArea, Membership
from communities.permissions import Access
from core import search as core_search
from core.compiled import Compiled, instance_builder
from core.search import Section
from discussions.models import (
    MAX_VISIBLE_DEPTH,
    Flag,
    KnownWord,
    ModerationLogEntry,
    Post,
    Reaction,
    ReadMark,
    SearchWord,
    Subscription,
    Thread,
)

TOP_LEVEL_PER_PAGE = 20
THREADS_PER_PAGE = 25
SEARCH_PER_PAGE = 20
SEARCH_CANDIDATES = core_search.CANDIDATES
SEARCH_QUERY_MAX = core_search.MAX_LENGTH
MIN_SUGGESTED_LENGTH = 4
NO_FILTERS = core_search.Filters()
SORTS = {
    "latest": ("-is_pinned", "-last_activity_at", "-id"),
    "newest": ("-created_at", "-id"),
    "unanswered": ("-created_at", "-id"),
    "helpful": ("-helpful_count", "-last_activity_at", "-id"),
}
SORT_LABELS = {"latest": "Latest activity", "newest": "Newest", "unanswered": "Unanswered", "helpful": "Most helpful"}


def _visible_threads(access: Access) -> QuerySet[Thread]:
    qs = Thread.objects.filter(community=access.community)
    return qs if access.may_moderate else qs.filter(is_hidden=False)


# -- lists ------------------------------------------------------------------------------


def threads_for_list(
    *, access: Access, sort: str = "latest", kind: str = "", focus_area: FocusArea | None = None
) -> QuerySet[Thread]:
    """Threads of ``access.community`` the viewer may see, sorted and filtered, with author and focus area."""
    qs = _visible_threads(access).select_related("author", "focus_area", "community")
    return qs.filter(_list_filter(sort=sort, kind=kind, focus_area=focus_area)).order_by(
        *SORTS.get(sort, SORTS["latest"])
    )


# What a thread row (discussions/includes/thread_row.html) shows: a list of 25 reads these, not each
# thread's text, its search vector and every column of its author and community.
THREAD_ROW_FIELDS = (
    *("id", "community_id", "focus_area_id", "author_id", "title", "kind", "created_at", "last_activity_at"),
    *("reply_count", "helpful_count", "accepted_post_id", "is_pinned", "is_locked", "is_hidden"),
    *("author__id", "author__username", "author__display_name", "author__avatar"),
    *("focus_area__id", "focus_area__name", "community__id", "community__slug"),
)


def for_rows(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    """``threads`` (with author, focus area and community) loading only what a thread row shows."""
    return threads.only(*THREAD_ROW_FIELDS)


def _list_filter(*, sort: str, kind: str, focus_area: FocusArea | None) -> Q:
    """What the list's filters keep, beyond what the viewer may see."""
    keep = Q()
    if kind:
        keep &= Q(kind=kind)
    if focus_area is not None:
        keep &= Q(focus_area=focus_area)
    if sort == "unanswered":
        keep &= Q(kind=Thread.Kind.QUESTION, accepted_post__isnull=True)
    return keep


class CountedPaginator(Paginator):
    """A Paginator given its count (from an aggregate the page runs anyway), so it runs no COUNT of its own."""

    def __init__(self, object_list: Any, per_page: int, *, count: int, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.count = count


# -- the discussion list in one statement (PostgreSQL) -----------------------------------------


@dataclass
class ListPage:
    """What the discussion list shows: a Page of rows, the community's counts, and its focus areas."""

    page: Page
    threads: list
    counts: dict[str, int]
    focus_areas: list[tuple[int, str]] | None  # (id, name) in the form's order; None: the form reads its own


_SORT_SQL = {
    "latest": "t.is_pinned DESC, t.last_activity_at DESC, t.id DESC",
    "newest": "t.created_at DESC, t.id DESC",
    "unanswered": "t.created_at DESC, t.id DESC",
    "helpful": "t.helpful_count DESC, t.last_activity_at DESC, t.id DESC",
}
_ROW_COLUMNS = (
    *("id", "community_id", "focus_area_id", "author_id", "title", "kind", "created_at", "last_activity_at"),
    *("reply_count", "helpful_count", "accepted_post_id", "is_pinned", "is_locked", "is_hidden"),
)
_PERSON_FIELDS = ("id", "username", "display_name", "avatar")
_LAST_PAGE = 2**31 - 1  # "the last page", as Paginator.get_page reads a page number below 1


def requested_page(number: Any) -> int:
    """The page Paginator.get_page would show for ``number``, with _LAST_PAGE for "the last"."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        wanted = int(number)
    except (TypeError, ValueError):
        return 1
    return wanted if 1 <= wanted < _LAST_PAGE else _LAST_PAGE


def thread_list_page(
    *,
    access: Access,
    user: Any,
    sort: str = "latest",
    kind: str = "",
    focus_area: FocusArea | None = None,
    page_number: Any = 1,
    per_page: int = THREADS_PER_PAGE,
) -> ListPage:
    """The discussion list's page: what ``threads_for_list`` + ``for_rows`` + ``with_read_state`` +
    ``thread_counts`` + ``with_recent_repliers`` and the form's focus areas give, paged as
    ``Paginator.get_page`` pages. On PostgreSQL one hand-written statement (building and compiling
    those five querysets cost more CPU than the page's rendering); elsewhere those querysets."""
    if not settings.USING_POSTGRES:
        return _thread_list_page_orm(
            access=access, user=user, sort=sort, kind=kind, focus_area=focus_area, page_number=page_number,
            per_page=per_page,
        )  # fmt: skip
    sort = sort if sort in _SORT_SQL else "latest"
    community = access.community
    seen = "t.community_id = %s" + ("" if access.may_moderate else " AND NOT t.is_hidden")
    listed: list[str] = ["TRUE"]
    listed_params: list[Any] = []
    if kind:
        listed.append("t.kind = %s")
        listed_params.append(kind)
    if focus_area is not None:
        listed.append("t.focus_area_id = %s")
        listed_params.append(focus_area.pk)
    if sort == "unanswered":
        listed.append("t.kind = %s AND t.accepted_post_id IS NULL")
        listed_params.append(Thread.Kind.QUESTION)
    keep = " AND ".join(listed)
    reader = user.pk if user is not None and user.is_authenticated else None
    kinds = Thread.Kind.values
    kind_counts = ", ".join(f"count(*) FILTER (WHERE t.kind = %s) AS kind_{n}" for n in range(len(kinds)))
    kind_columns = ", ".join(f"n.kind_{n}" for n in range(len(kinds)))
    columns = ", ".join(f"r.{c}" for c in _ROW_COLUMNS)
    person = ", ".join(f"u.{c}" for c in _PERSON_FIELDS)
    replier = ", ".join(f"pu.{c}" for c in _PERSON_FIELDS)
    thread_t, post_t, user_t = Thread._meta.db_table, Post._meta.db_table, User._meta.db_table
    area_t, mark_t = FocusArea._meta.db_table, ReadMark._meta.db_table
    # The counts first (the page number depends on them), then the page of rows, each with its author,
    # focus area, the reader's mark and what is new since, and the last RECENT_REPLIERS people to reply.
    sql = f"""
        WITH counts AS MATERIALIZED (
            SELECT count(*) AS total,
                   count(*) FILTER (WHERE t.kind = %s AND t.accepted_post_id IS NULL) AS unanswered,
                   count(*) FILTER (WHERE {keep}) AS listed,
                   {kind_counts},
                   (SELECT json_agg(json_build_array(a.id, a.name) ORDER BY a.position, a.name)
                      FROM {area_t} a WHERE a.community_id = %s) AS areas
            FROM {thread_t} t WHERE {seen}
        ), numbered AS MATERIALIZED (
            SELECT counts.*,
                   LEAST(%s, GREATEST(CEIL(counts.listed / %s::numeric)::bigint, 1)) AS page_number
            FROM counts
        )
        SELECT n.total, n.unanswered, n.listed, n.areas, n.page_number, {kind_columns},
               {columns}, {person}, f.name, m.upto, COALESCE(new.n, 0), last.people
        FROM numbered n
        LEFT JOIN LATERAL (
            SELECT {", ".join(f"t.{c}" for c in _ROW_COLUMNS)} FROM {thread_t} t
            WHERE {seen} AND {keep}
            ORDER BY {_SORT_SQL[sort]}
            LIMIT %s OFFSET (n.page_number - 1) * %s
        ) r ON TRUE
        LEFT JOIN {user_t} u ON u.id = r.author_id
        LEFT JOIN {area_t} f ON f.id = r.focus_area_id
        LEFT JOIN {mark_t} m ON m.thread_id = r.id AND m.user_id = %s
        LEFT JOIN LATERAL (
            SELECT count(*) AS n FROM {post_t} p
            WHERE p.thread_id = r.id AND p.id > m.upto AND NOT p.is_deleted AND NOT p.is_hidden
              AND p.author_id IS DISTINCT FROM %s
        ) new ON TRUE
        LEFT JOIN LATERAL (
            SELECT json_agg(json_build_array({replier}) ORDER BY last.at DESC, last.author_id) AS people
            FROM (
                SELECT p.author_id, max(p.created_at) AS at FROM {post_t} p
                WHERE p.thread_id = r.id AND NOT p.is_deleted AND NOT p.is_hidden AND p.author_id IS NOT NULL
                GROUP BY p.author_id ORDER BY at DESC, p.author_id LIMIT %s
            ) last JOIN {user_t} pu ON pu.id = last.author_id
        ) last ON TRUE
        ORDER BY {_SORT_SQL[sort].replace("t.", "r.")}
    """  # noqa: S608 - names from code, values in params
    params = [
        Thread.Kind.QUESTION,
        *listed_params,
        *kinds,
        community.pk,
        community.pk,
        requested_page(page_number),
        per_page,
        community.pk,
        *listed_params,
        per_page,
        per_page,
        reader,
        reader,
        RECENT_REPLIERS,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    first = rows[0]
    total, unanswered, listed_count, areas, number = first[:5]
    counts = {"total": total, "unanswered": unanswered, "listed": listed_count}
    counts.update(zip(kinds, first[5 : 5 + len(kinds)], strict=True))
    start = 5 + len(kinds)
    threads = []
    db = connection.alias
    width = len(_ROW_COLUMNS)
    people_cache: dict[int, User] = {}
    build_person, build_thread, build_area = (
        instance_builder(User),
        instance_builder(Thread),
        instance_builder(FocusArea),
    )

    def person_of(values):
        found = people_cache.get(values[0])
        if found is None:
            found = people_cache[values[0]] = build_person(User, db, _PERSON_FIELDS, values)
        return found

    for row in rows:
        values = row[start : start + width]
        if values[0] is None:  # a page with no rows (the LEFT JOIN's one empty row)
            continue
        thread: Any = build_thread(Thread, db, _ROW_COLUMNS, values)  # with the row's extra attributes
        author = row[start + width : start + width + len(_PERSON_FIELDS)]
        area_name, upto, new_replies, people = row[start + width + len(_PERSON_FIELDS) :]
        thread.community = community
        thread.author = person_of(author) if author[0] is not None else None
        thread.focus_area = (
            build_area(FocusArea, db, ("id", "community_id", "name"), (thread.focus_area_id, community.pk, area_name))
            if thread.focus_area_id is not None
            else None
        )
        if reader is not None:
            thread.read_upto, thread.new_replies = upto, new_replies
        thread.recent_repliers = [person_of(p) for p in people or ()]
        threads.append(thread)
    paginator = CountedPaginator([], per_page, count=listed_count)
    page = Page(threads, int(number), paginator)
    return ListPage(page, threads, counts, [(pk, name) for pk, name in areas or ()])


def _thread_list_page_orm(*, access, user, sort, kind, focus_area, page_number, per_page) -> ListPage:
    threads = with_read_state(
        for_rows(threads_for_list(access=access, sort=sort, kind=kind, focus_area=focus_area)), user=user
    )
    counts = thread_counts(access=access, sort=sort, kind=kind, focus_area=focus_area)
    page = CountedPaginator(threads, per_page, count=counts["listed"]).get_page(page_number)
    return ListPage(page, with_recent_repliers(page.object_list), counts, None)


RECENT_REPLIERS = 3


def with_recent_repliers(threads: Iterable[Any], *, limit: int = RECENT_REPLIERS) -> list[Any]:
    """The threads as a list, each with ``recent_repliers``: the last ``limit`` distinct people to reply, newest first.

    Replies that are deleted or hidden, and former members, do not count. Two queries for any
    number of threads (one window over the replies, one for the people), none for no threads;
    the people carry only what ``{% avatar %}`` and ``{% person %}`` show.
    """
    threads = list(threads)
    for thread in threads:
        thread.recent_repliers = []
    if not threads:
        return threads
    rows = sorted(_ranked_repliers([t.pk for t in threads], limit), key=lambda row: (row[0], row[2]))
    people = _people_shown({row[1] for row in rows})
    by_id = {thread.pk: thread for thread in threads}
    for thread_id, author_id, _rank in rows:
        if author_id in people:
            by_id[thread_id].recent_repliers.append(people[author_id])
    return threads


# Lists up to this long have their repliers' two queries compiled once per length (core.compiled): building
# them was most of the community home's Recent discussions panel.
COMPILED_UP_TO = 100


def _ranked_query(thread_ids: list[int], limit: int) -> QuerySet[Any]:
    """(thread id, author id, rank): each thread's last ``limit`` distinct repliers, newest first."""
    return (
        Post.objects.filter(thread_id__in=thread_ids, is_deleted=False, is_hidden=False, author__isnull=False)
        .order_by()  # no default ordering: it would join the GROUP BY and split each person's replies
        .values("thread_id", "author_id")
        .annotate(last_at=Max("created_at"))
        .annotate(
            rank=Window(RowNumber(), partition_by=[F("thread_id")], order_by=[F("last_at").desc(), F("author_id")])
        )
        .filter(rank__lte=limit)
        .values_list("thread_id", "author_id", "rank")
    )


def _people_query(ids: list[int]) -> QuerySet[User]:
    return User.objects.only("id", "username", "display_name", "avatar").filter(pk__in=ids)


def _ranked_repliers(thread_ids: list[int], limit: int) -> list[tuple]:
    if len(thread_ids) > COMPILED_UP_TO:
        return list(_ranked_query(thread_ids, limit))
    return _ranked_statement(len(thread_ids), limit)(**{f"thread{i}": pk for i, pk in enumerate(thread_ids)})


def _people_shown(ids: set[int]) -> dict[int, User]:
    """The people by id, with only what ``{% avatar %}`` and ``{% person %}`` show: one query, none for nobody."""
    if not ids:
        return {}
    ordered = sorted(ids)
    if len(ordered) > COMPILED_UP_TO:
        found = list(_people_query(ordered))
    else:
        found = _people_statement(len(ordered))(**{f"person{i}": pk for i, pk in enumerate(ordered)})
    return {person.pk: person for person in found}


@cache
def _ranked_statement(n: int, limit: int) -> Compiled:
    return Compiled(lambda **ids: _ranked_query(list(ids.values()), limit), **{f"thread{i}": int for i in range(n)})


@cache
def _people_statement(n: int) -> Compiled:
    return Compiled(lambda **ids: _people_query(list(ids.values())), **{f"person{i}": int for i in range(n)})


def thread_counts(
    *, access: Access, sort: str = "latest", kind: str = "", focus_area: FocusArea | None = None
) -> dict[str, int]:
    """How many threads of each kind, unanswered questions, and ``listed``: how many the list shows with
    these filters (its paginator's count). One query."""
    kinds = {value: Count("id", filter=Q(kind=value)) for value in Thread.Kind.values}
    listed = _list_filter(sort=sort, kind=kind, focus_area=focus_area)
    return _visible_threads(access).aggregate(
        total=Count("id"),
        unanswered=Count("id", filter=Q(kind=Thread.Kind.QUESTION, accepted_post__isnull=True)),
        listed=Count("id", filter=listed or None),
        **kinds,
    )


def recent_threads(*, community: Community, viewer: User, limit: int = 5) -> QuerySet[Thread]:
    """The latest visible threads of a community, for its home page: one query."""
    return for_rows(
        Thread.objects.filter(community=community, is_hidden=False)
        .select_related("author", "focus_area", "community")
        .order_by("-is_pinned", "-last_activity_at")
    )[:limit]


def unanswered_questions_for(*, user: User, limit: int = 10, community: Community | None = None) -> QuerySet[Thread]:
    """Open, visible questions with no replies and no accepted answer, in the user's communities (with
    ``community``, that one only) and in focus areas the user leads or follows. One query, community
    and focus area loaded."""
    if user is None or not user.is_authenticated:
        return Thread.objects.none()
    my_communities = Membership.objects.filter(user=user).values("community_id")
    if community is not None:
        my_communities = my_communities.filter(community=community)
    # Two plain IN lists: an OR over the two joined many-to-many tables made PostgreSQL scan
    # the followers again for every candidate thread (208 ms against 6.6 ms on the digest bench).
    led = FocusArea.leaders.through.objects.filter(user=user).values("focusarea_id")
    followed = FocusArea.followers.through.objects.filter(user=user).values("focusarea_id")
    return (
        _unanswered_questions()
        .filter(community_id__in=my_communities)
        .filter(Q(focus_area_id__in=led) | Q(focus_area_id__in=followed))
        .select_related("community", "focus_area", "author")
        .order_by("-created_at", "-pk")[:limit]  # newest first; the id settles ties
    )


def _unanswered_questions():
    return Thread.objects.filter(
        kind=Thread.Kind.QUESTION, is_hidden=False, is_locked=False, accepted_post__isnull=True, reply_count=0
    )


def unanswered_questions_for_many(*, users, communities_of, limit: int = 10):
    """``unanswered_questions_for`` for a batch of people at once: {user id: [thread, ...]}, three queries.

    ``communities_of`` maps each user id to the ids of their communities. Only the newest
    ``limit`` of each focus area are read: nobody's list holds more of one area.
    """
    user_ids = [user.pk for user in users]
    areas_of: dict[int, set] = {pk: set() for pk in user_ids}
    for through in (FocusArea.leaders.through, FocusArea.followers.through):
        for user_id, area_id in through.objects.filter(user_id__in=user_ids).values_list("user_id", "focusarea_id"):
            areas_of[user_id].add(area_id)
    areas = set().union(*areas_of.values())
    communities = set().union(*(set(ids) for ids in communities_of.values()))
    found: dict[int, list] = {pk: [] for pk in user_ids}
    if not areas or not communities:
        return found
    newest = (
        _unanswered_questions()
        .filter(community_id__in=communities, focus_area_id__in=areas)
        .annotate(
            rank=Window(RowNumber(), partition_by=F("focus_area_id"), order_by=[F("created_at").desc(), F("pk").desc()])
        )
        .filter(rank__lte=limit)
        .select_related("community", "focus_area", "author")
        .order_by("-created_at", "-pk")
    )
    for thread in newest:
        for user_id in user_ids:
            mine = found[user_id]
            if (
                len(mine) < limit
                and thread.focus_area_id in areas_of[user_id]
                and thread.community_id in communities_of.get(user_id, ())
            ):
                mine.append(thread)
    return found


# Most helpful first, then the most recently active; the newest thread breaks a tie, so a batch that
# picks from each community's best (most_helpful_threads_by_community) picks what one query picks.
HELPFUL_ORDER = ("-helpful_in_period", "-last_activity_at", "-pk")


def _helpful_in(communities, since, until):
    in_period = Q(
        posts__reactions__created_at__gte=since,
        posts__reactions__created_at__lt=until,
        posts__reactions__kind=Reaction.Kind.HELPFUL,
        posts__is_hidden=False,
        posts__is_deleted=False,
    )
    return (
        Thread.objects.filter(community__in=communities, is_hidden=False)
        .annotate(helpful_in_period=Count("posts__reactions", filter=in_period))
        .filter(helpful_in_period__gt=0)
        .select_related("community", "focus_area", "author")
    )


def most_helpful_threads(*, communities, since, until, limit: int = 5):
    """Visible threads of ``communities`` whose replies got the most "helpful" reactions in [since, until): one query.

    Each thread carries ``helpful_in_period``; ordered by HELPFUL_ORDER.
    """
    return _helpful_in(communities, since, until).order_by(*HELPFUL_ORDER)[:limit]


def helpful_sort_key(thread: Any) -> tuple:  # a Thread with ``helpful_in_period``
    """HELPFUL_ORDER in Python, to merge the lists of ``most_helpful_threads_by_community``."""
    return (-thread.helpful_in_period, -thread.last_activity_at.timestamp(), -thread.pk)


def most_helpful_threads_by_community(*, communities, since, until, limit: int = 5) -> dict[int, list[Thread]]:
    """{community id: its ``limit`` most helpful threads}, as ``most_helpful_threads`` for each alone: one query.

    The ``limit`` best of any set of these communities are among them (merge with ``helpful_sort_key``).
    """
    order = [F(name[1:]).desc() for name in HELPFUL_ORDER]
    rows = (
        _helpful_in(communities, since, until)
        .annotate(nth=Window(RowNumber(), partition_by=[F("community_id")], order_by=order))
        .filter(nth__lte=limit)
        .order_by("community_id", *HELPFUL_ORDER)
    )
    found: dict[int, list[Thread]] = {}
    for thread in rows:
        found.setdefault(thread.community_id, []).append(thread)
    return found


# -- one thread ---------------------------------------------------------------------------


@dataclass
class Node:
    post: Post
    children: list = field(default_factory=list)
    # Shown at the depth cap: name whom it answers, since indentation no longer says it.
    in_reply_to: object = None

    @property
    def visible_depth(self) -> int:
        return min(self.post.depth, MAX_VISIBLE_DEPTH)


def reply_count(*, thread: Thread) -> int:
    """How many replies ``thread`` has now, deleted ones not counted: one query."""
    return Thread.objects.values_list("reply_count", flat=True).get(pk=thread.pk)


def thread_for_page(*, access: Access, thread_id: int) -> Thread | None:
    """The thread (404 if not in this community or hidden from the viewer) with its author, focus area and answer."""
    return (
        _visible_threads(access)
        .select_related("author", "focus_area", "community", "accepted_post__author")
        .filter(pk=thread_id)
        .first()
    )


# What the thread page shows of a person ({% person %}: name, @username, picture), a thread and a reply.
PERSON_FIELDS = ("id", "username", "display_name", "avatar")
_THREAD_SHOWN = tuple(
    f.name for f in Thread._meta.concrete_fields if f.name not in ("body", "search_vector", "submission_key")
)
_POST_SHOWN = tuple(
    f.name for f in Post._meta.concrete_fields if f.name not in ("body", "search_vector", "submission_key")
)
_READER_THREAD_FIELDS = (
    *_THREAD_SHOWN,
    *(f"author__{name}" for name in PERSON_FIELDS),
    "focus_area__id",
    "focus_area__name",
    *(f"accepted_post__{name}" for name in _POST_SHOWN),
    *(f"accepted_post__author__{name}" for name in PERSON_FIELDS),
)
_PAGE_POST_FIELDS = (*_POST_SHOWN, *(f"author__{name}" for name in PERSON_FIELDS))
_compiled: dict[tuple, Compiled] = {}
_COMPILED_MAX = 64  # shapes kept (a few per page number read): a bound, not a cache of data


def _compiled_query(shape: tuple, build, *names: str) -> Compiled:
    """``build`` compiled once for ``shape`` (what else its SQL depends on), each of ``names`` an id."""
    query = _compiled.get(shape)
    if query is None:
        if len(_compiled) >= _COMPILED_MAX:
            _compiled.clear()
        query = _compiled[shape] = Compiled(build, **dict.fromkeys(names, int))
    return query


def _reader_thread(*, moderator: bool):
    def build(thread, community, viewer):
        mark = ReadMark.objects.filter(user_id=viewer, thread=OuterRef("pk")).values("upto")[:1]
        unread = _unread_posts(viewer, OuterRef("pk"), OuterRef("read_upto")).values("thread")
        tops = Post.objects.filter(thread=OuterRef("pk"), parent__isnull=True).order_by().values("thread")
        threads = Thread.objects.filter(community_id=community, pk=thread)
        if not moderator:
            threads = threads.filter(is_hidden=False)
        return (
            threads.select_related("author", "focus_area", "accepted_post__author")
            .only(*_READER_THREAD_FIELDS)
            .annotate(read_upto=Subquery(mark))
            .annotate(
                top_count=Coalesce(Subquery(tops.annotate(n=Count("pk")).values("n")), 0),
                unread=Coalesce(Subquery(unread.annotate(n=Count("pk")).values("n")), 0),
                first_unread=Subquery(unread.annotate(m=Min("pk")).values("m")),
                following=Exists(Subscription.objects.filter(thread=OuterRef("pk"), user_id=viewer)),
            )
            .order_by()[:1]
        )

    return _compiled_query(("reader-thread", moderator), build, "thread", "community", "viewer")


def thread_for_reader(*, access: Access, thread_id: int, viewer: Any) -> Thread | None:
    """The thread as thread_for_page gives it (None if not in this community or hidden from the viewer),
    with what the thread page shows the viewer: ``top_count`` (top-level replies), ``following``, and
    ``read_state`` (discussions.selectors.ReadState, None for visitors). One query, compiled once."""
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else 0
    rows = _reader_thread(moderator=bool(access.may_moderate))(
        thread=int(thread_id), community=access.community.pk, viewer=viewer_id
    )
    if not rows:
        return None
    thread = rows[0]
    thread.community = access.community
    if thread.accepted_post is not None:
        thread.accepted_post.community = access.community
        thread.accepted_post.thread = thread
    thread.following = bool(viewer_id and thread.following)
    thread.read_state = None
    if viewer_id:
        thread.read_state = ReadState(upto=thread.read_upto, unread=thread.unread, first_unread_id=thread.first_unread)
    return thread


def _page_posts(*, offset: int, per_page: int, replies: bool):
    """The page's top-level replies (or all replies under them), each with ``marked`` (the viewer's helpful)."""

    def build(thread, viewer):
        tops = Post.objects.filter(thread_id=thread, parent__isnull=True).order_by("created_at", "id")
        marked = Exists(Reaction.objects.filter(post=OuterRef("pk"), user_id=viewer, kind=Reaction.Kind.HELPFUL))
        if replies:
            posts = Post.objects.filter(root_id__in=tops.values("pk")[offset : offset + per_page])
            posts = posts.order_by("created_at", "id")
        else:
            posts = tops
        posts = posts.select_related("author").only(*_PAGE_POST_FIELDS).annotate(marked=marked)
        return posts if replies else posts[offset : offset + per_page]

    return _compiled_query(("page-posts", offset, per_page, replies), build, "thread", "viewer")


def thread_page(
    *, thread: Thread, page_number: int | str | None = 1, per_page: int = TOP_LEVEL_PER_PAGE, viewer: Any = None
) -> tuple[Page[Any], list[Node]]:
    """A page of top-level replies with all their descendants, as a tree: two queries whatever the size
    (three when ``thread`` is not from thread_for_reader, which counts the top-level replies).

    Returns (page, nodes): ``page`` pages top-level replies; ``nodes`` are their trees in order. Each post
    has ``marked``: whether ``viewer`` marked it helpful.
    """
    count = getattr(thread, "top_count", None)
    if count is None:
        count = Post.objects.filter(thread=thread, parent__isnull=True).count()
    page = CountedPaginator((), per_page, count=count).get_page(page_number)
    offset = (page.number - 1) * per_page
    viewer_id = viewer.pk if viewer is not None and viewer.is_authenticated else 0
    values = {"thread": thread.pk, "viewer": viewer_id}
    tops = _page_posts(offset=offset, per_page=per_page, replies=False)(**values) if count else []
    page.object_list = tops
    descendants = _page_posts(offset=offset, per_page=per_page, replies=True)(**values) if tops else []
    nodes: dict[int | None, Node] = {p.pk: Node(p) for p in tops}
    for post in descendants:
        nodes[post.pk] = Node(post)
    for post in descendants:
        parent = nodes.get(post.parent_id)
        if parent is None:
            continue
        node = nodes[post.pk]
        if post.depth > MAX_VISIBLE_DEPTH:
            node.in_reply_to = parent.post.author
        # Replies past the cap sit flat under their nearest capped ancestor.
        while parent.post.depth >= MAX_VISIBLE_DEPTH and parent.post.parent_id in nodes:
            parent = nodes[parent.post.parent_id]
        parent.children.append(node)
    for node in nodes.values():
        node.children.sort(key=lambda n: (n.post.created_at, n.post.pk))
    return page, [nodes[p.pk] for p in tops]


def flatten(nodes: list[Node]) -> list[Node]:
    """The tree in reading order, each node with its visible depth (for rendering without recursion)."""
    out = []
    stack = list(reversed(nodes))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def page_of_post(*, post: Post, per_page: int = TOP_LEVEL_PER_PAGE) -> int:
    """The page of the thread that shows ``post`` (by its top-level ancestor)."""
    top_id = post.root_id or post.pk
    top = Post.objects.only("created_at").get(pk=top_id)
    before = Post.objects.filter(thread_id=post.thread_id, parent__isnull=True).filter(
        Q(created_at__lt=top.created_at) | Q(created_at=top.created_at, id__lt=top.pk)
    )
    return before.count() // per_page + 1


# -- search --------------------------------------------------------------------------------

_WORD = re.compile(r"[\w]+", re.UNICODE)


def clean_query(text: str) -> str:
    """The words of a search box entry (at most SEARCH_QUERY_MAX characters); '' when there are none."""
    text = (text or "")[:SEARCH_QUERY_MAX]
    return " ".join(_WORD.findall(text))[:SEARCH_QUERY_MAX]


@dataclass(frozen=True)
class Hit:
    """One discussion result as the page shows it (discussions/includes/search_hit.html)."""

    url: str
    title: str
    community: str  # the community's name
    kind: str  # the thread's kind, as shown
    focus_area: str | None
    reply: bool  # a reply, or the thread's opening
    author: str | None  # the author's name; None for a former member
    created_at: Any
    headline: str  # safe HTML: the marked snippet
    rank: float


_KIND_LABELS = dict(Thread.Kind.choices)


def _hit(*, url, title, community, kind, focus_area, reply, author, created_at, headline, rank) -> Hit:
    return Hit(
        url, title, community, _KIND_LABELS.get(kind, kind), focus_area, reply, author, created_at, headline, rank
    )


def search(
    *,
    viewer: User,
    terms: core_search.Terms,
    scope: core_search.Scope,
    filters: core_search.Filters = NO_FILTERS,
    kind: str = "",
    focus_area: FocusArea | None = None,
    page_number: int | str | None = 1,
    per_page: int = SEARCH_PER_PAGE,
) -> Section:
    """Thread openings and replies matching ``terms`` inside ``scope``, best first, with marked snippets.

    Any term matches; openings and replies with every term rank first, then by rank (a
    title weighs more than a body), then newest. Only the newest SEARCH_CANDIDATES
    matches of openings and of replies are ranked; ``section.capped`` says there may be
    more. Hidden threads and hidden or deleted replies never appear. Two queries on PostgreSQL
    (the matches of both, the page's hits; three for a page number past the last page), four elsewhere.
    Returns a ``core.search.Section``.
    """
    section = Section("discussions", "Discussions", "discussions/includes/search_hits.html")
    if not terms:
        return section
    key = (scope, filters, kind, focus_area.pk if focus_area is not None else None)
    threads = core_search.Rows(Thread, key, lambda: _searched_threads(scope, filters, kind, focus_area))
    posts = core_search.Rows(Post, key, lambda: _searched_posts(scope, filters, kind, focus_area))
    counts: Counter[str] = Counter()

    def find(shown):
        found = core_search.newest_matches_together(
            [(threads, "t"), (posts, "p")], terms, cap=SEARCH_CANDIDATES, phrase_pairs=True, shown=shown
        )
        counts.clear()
        counts.update(candidate.kind for candidate in found)
        return found

    page = section.page = core_search.best_page(find, page_number, per_page)
    section.capped = SEARCH_CANDIDATES in (counts["t"], counts["p"])
    rows = list(page.object_list)
    found = _hits_postgres(rows, terms) if settings.USING_POSTGRES else _hits_orm(rows, terms)
    section.hits = [found[row.kind, row.id] for row in rows if (row.kind, row.id) in found]
    return section


def _searched_threads(
    scope: core_search.Scope, filters: core_search.Filters, kind: str, focus_area: FocusArea | None
) -> QuerySet[Thread]:
    threads = filters.apply(Thread.objects.filter(scope.q(), is_hidden=False), author_field="author")
    if kind:
        threads = threads.filter(kind=kind)
    if focus_area is not None:
        threads = threads.filter(focus_area=focus_area)
    return threads


def _searched_posts(
    scope: core_search.Scope, filters: core_search.Filters, kind: str, focus_area: FocusArea | None
) -> QuerySet[Post]:
    # NOT IN over the few hidden threads (a partial index), rather than a join per reply.
    hidden_threads = Thread.objects.filter(is_hidden=True).values("pk")
    posts = Post.objects.filter(scope.q(), is_hidden=False, is_deleted=False).exclude(thread_id__in=hidden_threads)
    posts = filters.apply(posts, author_field="author")
    if kind:
        posts = posts.filter(thread__kind=kind)
    if focus_area is not None:
        posts = posts.filter(thread__focus_area=focus_area)
    return posts


def _hits_postgres(rows: list, terms: core_search.Terms) -> dict[tuple[str, int], Hit]:
    """The page's openings and replies as Hits, snippets marked: one hand-written statement (the two
    querysets it replaced, each loading three related models, cost more to build than to run)."""
    thread_ids = [row.id for row in rows if row.kind == "t"]
    post_ids = [row.id for row in rows if row.kind == "p"]
    if not rows:
        return {}
    rank = {(row.kind, row.id): row.rank for row in rows}
    thread_t, post_t = Thread._meta.db_table, Post._meta.db_table
    area_t, user_t, community_t = FocusArea._meta.db_table, User._meta.db_table, Community._meta.db_table
    thread_snippet, thread_snippet_params = core_search.headline_sql("t.body", terms)
    post_snippet, post_snippet_params = core_search.headline_sql("p.body", terms)
    sql = f"""
        SELECT 't', t.id, t.id, t.title, c.slug, c.name, t.kind, f.name, u.display_name, u.username, t.created_at,
               {thread_snippet}, left(t.body, %s)
        FROM {thread_t} t JOIN {community_t} c ON c.id = t.community_id
        LEFT JOIN {area_t} f ON f.id = t.focus_area_id LEFT JOIN {user_t} u ON u.id = t.author_id
        WHERE t.id = ANY(%s)
        UNION ALL
        SELECT 'p', p.id, th.id, th.title, c.slug, c.name, th.kind, f.name, u.display_name, u.username, p.created_at,
               {post_snippet}, left(p.body, %s)
        FROM {post_t} p JOIN {thread_t} th ON th.id = p.thread_id JOIN {community_t} c ON c.id = p.community_id
        LEFT JOIN {area_t} f ON f.id = th.focus_area_id LEFT JOIN {user_t} u ON u.id = p.author_id
        WHERE p.id = ANY(%s)
    """  # noqa: S608 - names from code, values in params
    length = core_search.SNIPPET_FALLBACK
    params = [*thread_snippet_params, length, thread_ids, *post_snippet_params, length, post_ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    prefixes: dict[str, str] = {}
    hits = {}
    for (
        kind,
        pk,
        thread_id,
        title,
        slug,
        community,
        thread_kind,
        area,
        display_name,
        username,
        at,
        snip,
        start,
    ) in found:
        prefix = prefixes.get(slug)
        if prefix is None:
            prefix = prefixes[slug] = reverse("discussions:list", kwargs={"slug": slug})
        # The URLs of discussions/urls.py: <list>/<id>-<title slug>/ and <list>/<id>/p/<post id>/.
        url = (
            f"{prefix}{thread_id}-{slugify(title)[:60] or 'thread'}/" if kind == "t" else f"{prefix}{thread_id}/p/{pk}/"
        )
        hits[kind, pk] = _hit(
            url=url,
            title=title,
            community=community,
            kind=thread_kind,
            focus_area=area,
            reply=kind == "p",
            author=(display_name or username) if username is not None else None,
            created_at=at,
            headline=core_search.marked(snip or start),
            rank=rank[kind, pk],
        )
    return hits


def _hits_orm(rows: list, terms: core_search.Terms) -> dict[tuple[str, int], Hit]:
    thread_ids = [row.id for row in rows if row.kind == "t"]
    post_ids = [row.id for row in rows if row.kind == "p"]
    rank = {(row.kind, row.id): row.rank for row in rows}
    hits = {}
    if thread_ids:
        threads = Thread.objects.select_related("community", "focus_area", "author").filter(pk__in=thread_ids)
        for thread in core_search.headline(threads, terms, "body"):
            hits["t", thread.pk] = _hit_of(thread, None, rank["t", thread.pk])
    if post_ids:
        posts = Post.objects.select_related("thread__community", "thread__focus_area", "author", "community")
        for post in core_search.headline(posts.filter(pk__in=post_ids), terms, "body"):
            hits["p", post.pk] = _hit_of(post.thread, post, rank["p", post.pk])
    return hits


def _hit_of(thread: Thread, post: Post | None, rank: float) -> Hit:
    shown: Any = post or thread
    return _hit(
        url=shown.get_absolute_url(),
        title=thread.title,
        community=thread.community.name,
        kind=thread.kind,
        focus_area=thread.focus_area.name if thread.focus_area else None,
        reply=post is not None,
        author=shown.author.name if shown.author else None,
        created_at=shown.created_at,
        headline=core_search.safe_snippet(shown, shown.body),
        rank=rank,
    )


OVERVIEW_PER_PAGE = 5  # hits of each other kind shown beside the discussions


def search_everything(
    *,
    viewer: User,
    terms: core_search.Terms,
    scope: core_search.Scope,
    filters: core_search.Filters,
    only: str = "",
    kind: str = "",
    focus_area: FocusArea | None = None,
    page_number: int | str | None = "1",
) -> tuple[list[Section], core_search.Terms | None]:
    """Every kind of result (``core.search.providers``) for ``terms``, and a spelling suggestion.

    With ``only`` one kind is paged on its own; otherwise discussions are paged and each
    other kind shows its best OVERVIEW_PER_PAGE on the first page. ``kind`` and
    ``focus_area`` narrow discussions. One transaction with search's planner settings.
    Returns ([Section], Terms or None).
    """
    main_kind = only or "discussions"
    sections = []
    with core_search.search_settings():
        for provider in core_search.providers():
            main = provider.kind == main_kind
            if (only and not main) or (not main and page_number != "1"):
                continue
            extra = {"kind": kind, "focus_area": focus_area} if provider.kind == "discussions" else {}
            section = provider.function(
                viewer=viewer,
                terms=terms,
                scope=scope,
                filters=filters,
                page_number=page_number if main else 1,
                per_page=SEARCH_PER_PAGE if main else OVERVIEW_PER_PAGE,
                **extra,
            )
            section.main = main
            sections.append(section)
        suggestion = did_you_mean(terms=terms, scope=scope)
    return sections, suggestion


def did_you_mean(*, terms: core_search.Terms, scope: core_search.Scope) -> core_search.Terms | None:
    """``terms`` as text with each unknown word replaced by the closest word ``scope`` may see, or None.

    A word is known when it, or its English stem, occurs in a visible community
    (``SearchWord``, refreshed nightly). Suggestions come from words in at least two
    openings or replies of one visible community (a one-off is more likely a typo itself), by
    trigram similarity (pg_trgm, threshold set by ``core.search.search_settings``) among the
    ``KnownWord``s, then by how common they are in such a community. One query; PostgreSQL only
    (None on SQLite).
    """
    typed = [w for w in terms.words if MIN_SUGGESTED_LENGTH <= len(w) <= SearchWord.MAX_LENGTH and w.isalpha()]
    if not typed or not settings.USING_POSTGRES:
        return None
    seen, seen_params = scope.sql("s.community_id")
    known, known_params = scope.sql("k.community_id")
    words, known_words = SearchWord._meta.db_table, KnownWord._meta.db_table
    # One branch per typed word, the word written in: the planner finds its similar words through the
    # trigram index only for a constant (for a column of unnest() it compared all of them).
    branch = f"""
        SELECT %s::text, (
            SELECT c.word FROM {known_words} c
            CROSS JOIN LATERAL (
                SELECT max(s.documents) AS documents FROM {words} s
                WHERE s.word = c.word AND s.documents >= 2 AND {seen}
            ) AS v
            WHERE c.word %% %s AND v.documents IS NOT NULL
            ORDER BY similarity(c.word, %s) DESC, v.documents DESC, c.word LIMIT 1
        )
        WHERE NOT EXISTS (
            SELECT 1 FROM {words} k
            WHERE (k.word = %s OR k.lexeme = (ts_lexize('english_stem', %s))[1]) AND {known}
        )
    """  # noqa: S608 - the tables' names and the scope's SQL come from code; words are parameters
    params = [p for word in typed for p in (word, *seen_params, word, word, word, word, *known_params)]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join([branch] * len(typed)), params)
        corrections = {word: better for word, better in cursor.fetchall() if better and better != word}
    if not corrections:
        return None
    return core_search.Terms(
        tuple(_corrected(term, corrections) for term in terms.positive),
        terms.excluded,
    )


def _corrected(term: Any, corrections: dict[str, str]) -> Any:
    if isinstance(term, tuple):
        return tuple(corrections.get(w.lower(), w) for w in term)
    return corrections.get(term.lower(), term)


def similar_threads(*, access: Access, title: str, limit: int = 5) -> list[Thread]:
    """Visible threads of the community whose title or opening matches ``title``'s words (any of them): one query."""
    words = clean_query(title).split()[:12]
    words = [w for w in words if len(w) > 2]
    if not words:
        return []
    qs = _visible_threads(access).filter(is_hidden=False).select_related("focus_area")
    if settings.USING_POSTGRES:
        q = SearchQuery(" OR ".join(words), search_type="websearch", config="english")
        return list(
            qs.filter(search_vector=q).annotate(rank=SearchRank(F("search_vector"), q)).order_by("-rank")[:limit]
        )
    terms = core_search.Terms(tuple(words))
    return list(core_search.matching(qs, terms, every=False).order_by("-last_activity_at")[:limit])


# -- moderation ------------------------------------------------------------------------------


def open_flags(*, community: Community) -> QuerySet[Flag]:
    """Open flags of a community, oldest first, with thread, reply and people loaded: one query."""
    return (
        Flag.objects.filter(community=community, status=Flag.Status.OPEN)
        .select_related("thread", "post__author", "thread__author", "reporter", "thread__community")
        .order_by("created_at")
    )


def moderation_log(*, community: Community) -> QuerySet[ModerationLogEntry]:
    return ModerationLogEntry.objects.filter(community=community).select_related("actor", "thread", "post")


# -- reading position ------------------------------------------------------------------------


def _unread_posts(user: User, thread_ref: Any, upto_ref: Any) -> QuerySet[Post]:
    """Posts of a thread newer than a reading position, not removed and not the reader's own."""
    return (
        Post.objects.filter(thread=thread_ref, pk__gt=upto_ref, is_deleted=False, is_hidden=False)
        .exclude(author=user)
        .order_by()
    )


def with_read_state(threads: QuerySet[Thread], *, user: Any) -> QuerySet[Thread]:
    """``threads`` annotated for ``user``: ``read_upto`` (None: never opened) and ``new_replies`` since.

    Two subqueries in the list's own query, so the list's query count does not change with its rows.
    A visitor's threads come back as they are.
    """
    if user is None or not user.is_authenticated:
        return threads
    mark = ReadMark.objects.filter(user=user, thread=OuterRef("pk")).values("upto")[:1]
    newer = _unread_posts(user, OuterRef("pk"), OuterRef("read_upto")).values("thread").annotate(n=Count("pk"))
    return threads.annotate(read_upto=Subquery(mark), new_replies=Coalesce(Subquery(newer.values("n")), 0))


@dataclass
class ReadState:
    """Where ``user`` stands in a thread: their mark (None: first visit), what is new, where it starts."""

    upto: int | None
    unread: int = 0
    first_unread_id: int | None = None
