"""Reads the calendar pages, feeds, reminders and digests share. Each runs a fixed number of queries."""

from __future__ import annotations

import calendar
import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import District, User
from calendar_app.models import (
    RSVP,
    Activity,
    Attendance,
    Occurrence,
    OccurrenceChange,
    Responsibility,
    Rotation,
    due_soon_days,
    occurrence_key,
)
from communities.models import Community, Membership
from communities.permissions import Access
from core import search as core_search
from core.compiled import Compiled, Derived

FIRST_WEEKDAY = calendar.SUNDAY


def activities_overlapping(
    *, start: datetime, end: datetime, community: Community | None = None, communities_q: Q | None = None
) -> QuerySet[Activity]:
    """Activities that may have an occurrence in [start, end), with what expanding them needs: two queries."""
    qs = Activity.objects.filter(Q(span_start__lt=end) & (Q(span_end__isnull=True) | Q(span_end__gt=start)))
    if community is not None:
        qs = qs.filter(community=community)
    if communities_q is not None:
        qs = qs.filter(communities_q)
    return qs.select_related("community", "focus_area").prefetch_related(
        Prefetch("exceptions", queryset=OccurrenceChange.objects.order_by("original_start"))
    )


# One page never lists more occurrences than this, however many series overlap it.
MAX_OCCURRENCES_PER_PAGE = 1000


def expand(activities: Iterable[Activity], start: datetime, end: datetime) -> list[Occurrence]:
    """The first MAX_OCCURRENCES_PER_PAGE (not cancelled) occurrences of ``activities`` in [start, end), by start.

    Each series is expanded lazily within the window (Activity.original_starts_between).
    """
    found = []
    for activity in activities:
        found.extend(activity.occurrences_between(start, end))
    found.sort(key=_by_start)
    return found[:MAX_OCCURRENCES_PER_PAGE]


def occurrences_for_community(*, community: Community, start: datetime, end: datetime) -> list[Occurrence]:
    return expand(activities_overlapping(start=start, end=end, community=community), start, end)


def soonest_occurrences(*, start, end, limit, community=None, communities_q=None):
    """The first ``limit`` occurrences overlapping [start, end), as ``expand`` would list them: two queries.

    For windows that begin now or later. Instead of expanding every series that overlaps
    the window, it expands only the activities that can hold one of the first ``limit``:
    by their stored next date (``Activity.next_start``, an index), those up to the
    ``limit``-th soonest, plus any whose stored date has passed or was never worked out.
    An activity further down the list starts after ``limit`` occurrences already found.
    One community's (the "Coming up" panel) runs SQL compiled once per process (core.compiled).
    """
    if community is not None and communities_q is None:
        return _first(_community_candidates(community.pk, start, end, limit), start, end, limit)
    base = activities_overlapping(start=start, end=end, community=community, communities_q=communities_q)
    found = _soonest(base, base, start, end, limit)
    found.sort(key=_by_start)
    return found[:limit]


def _count(rows: QuerySet) -> Coalesce:
    """How many ``rows`` there are, as a subquery (0 for none)."""
    return Coalesce(Subquery(rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")), 0)


class _Nth(Subquery):
    """The first value of ``queryset`` (one column, ordered, sliced ``[:1]``) after skipping ``skip`` rows (an
    expression, such as a count in a subquery): NULL when there are not that many."""

    def __init__(self, queryset: QuerySet, skip: Any, **extra: Any):
        super().__init__(queryset, **extra)
        self.skip = skip

    def get_source_expressions(self):
        return [self.query, self.skip]

    def set_source_expressions(self, exprs):
        self.query, self.skip = exprs

    def as_sql(self, compiler, connection, template=None, **extra_context):
        sql, params = super().as_sql(compiler, connection, template, **extra_context)
        skip_sql, skip_params = compiler.compile(self.skip)
        if not sql.endswith(" LIMIT 1)"):
            raise ValueError("_Nth needs a queryset sliced [:1]")
        return f"{sql[:-1]} OFFSET ({skip_sql}))", (*params, *skip_params)


def _candidates_q(base: QuerySet, start: datetime, end: datetime, room: Any) -> Q:
    """The activities of ``base`` that may hold one of its first ``room`` occurrences (an expression): those
    whose stored next date fewer than ``room`` others' come before, and any whose stored date has passed or
    was never worked out. ``room`` more activities each start before the first of the next one."""
    # The stored next date is the activity's first occurrence in the window (Activity.next_occurrence).
    exact = Q(next_as_of__lte=start) & Q(next_end__gt=start, next_start__lt=end)
    # Fewer than ``room`` others come before an activity exactly when its date is at most the room-th
    # soonest (ties included); with fewer dates than that, every one. One subquery run once, where
    # counting the earlier ones for each activity read the window's activities again per row (9 ms of
    # the site home at 1,000,000 posts).
    nth = _Nth(base.filter(exact).order_by("next_start").values("next_start")[:1], room - Value(1))
    unknown = Q(next_as_of__isnull=True) | Q(next_as_of__gt=start) | Q(next_end__lte=start)
    return (exact & Q(next_start__lte=Coalesce(nth, Value(end)))) | unknown


# What a list of dates shows; descriptions and search vectors are most of a row's bytes.
LIST_DEFER = ("description", "description_html", "search_vector")


def _community_activities(community_id: int, start: datetime, end: datetime) -> QuerySet[Activity]:
    return (
        Activity.objects.filter(Q(span_start__lt=end) & (Q(span_end__isnull=True) | Q(span_end__gt=start)))
        .filter(community_id=community_id)
        .select_related("community", "focus_area")
        .defer(*LIST_DEFER)
    )


@cache
def _candidates_statements(limit: int) -> tuple[Compiled, Compiled]:
    """The "Coming up" candidates of one community and their exceptions, compiled once for ``limit``."""

    def activities(community, start, end):
        base = _community_activities(community, start, end)
        return base.filter(_candidates_q(base, start, end, Value(limit)))

    def exceptions(community, start, end):
        chosen = activities(community, start, end).values("pk")
        return OccurrenceChange.objects.filter(activity_id__in=chosen).order_by("original_start")

    slots = {"community": int, "start": datetime, "end": datetime}
    return Compiled(activities, **slots), Compiled(exceptions, **slots)


def _community_candidates(community_id, start, end, limit):
    """[(activity, its exceptions, how many dates to expand)] for ``soonest_occurrences`` of one community."""
    activities, exceptions = _candidates_statements(limit)
    rows = activities(community=community_id, start=start, end=end)
    changes = _changes_by_activity(rows, exceptions(community=community_id, start=start, end=end) if rows else ())
    # Each exception can take one date out of the first ``limit``.
    return [(activity, changes[activity.pk], limit + len(changes[activity.pk])) for activity in rows]


def _changes_by_activity(activities, changes) -> dict[int, list]:
    found: dict[int, list] = {activity.pk: [] for activity in activities}
    for change in changes:
        if change.activity_id in found:
            found[change.activity_id].append(change)
    return found


def _stored_first(activity: Activity, changes, start: datetime, end: datetime) -> Occurrence | None:
    """A series' first occurrence in [start, end) read off its stored next date, when that is exact and no
    exception can change it; None when the series must be expanded to know.

    Stored at ``next_as_of`` (before ``start``), the next date is the first occurrence still running then
    (Activity.next_occurrence): while it still runs at ``start``, every date before it had ended, so it
    is the first date ``occurrences_between(start, end)`` lists. A series without exceptions never moves
    or cancels a date, and happens at most once a day, so its later dates start after this one."""
    if changes or not activity.is_recurring:
        return None
    as_of, first, last = activity.next_as_of, activity.next_start, activity.next_end
    if as_of is None or first is None or last is None or not (as_of < start < last) or first >= end:
        return None
    return Occurrence(activity=activity, start=first, end=last, original_start=first)


def _first(candidates, start, end, limit, answered=None, every=None, until=None):
    """The first ``limit`` occurrences in [start, ``until`` or end) of ``candidates`` (from
    ``_community_candidates`` or ``occurrences_not_answered_by``), less those ``answered`` names as
    (activity id, original start).

    The candidates' dates are merged soonest first (as ``_by_start`` sorts them), and a series whose first
    date is its stored next one (``_stored_first``) is expanded only once that date is taken and its later
    ones could still be among the first: for five dates of fourteen series, five expansions or none instead
    of fourteen. ``every`` (a list) receives the first ``limit`` occurrences of [start, end), answered or not."""
    until = end if until is None else until
    heap: list[tuple] = []
    order = itertools.count()

    def push(occurrence):
        soonest, title, pk = _by_start(occurrence)
        # 0 before 1: at the same start, dates come before a series still to expand (whose dates are later).
        heapq.heappush(heap, (soonest, 0, title, pk, next(order), occurrence))

    for activity, changes, dates in candidates:
        known = _stored_first(activity, changes, start, end)
        if known is None:
            for occurrence in activity.occurrences_between(start, end, limit=dates, changes=changes):
                push(occurrence)
        else:
            push(known)
            # The rest of the series starts after its first date: worked out when nothing comes before it.
            heapq.heappush(heap, (known.start, 1, next(order), (activity, changes, dates, known.start)))
    found: list[Occurrence] = []
    taken = 0
    while heap and ((len(found) < limit and heap[0][0] < until) or (every is not None and taken < limit)):
        entry = heapq.heappop(heap)
        if entry[1]:
            activity, changes, dates, first = entry[-1]
            for occurrence in activity.occurrences_between(start, end, limit=dates, changes=changes):
                if occurrence.start > first:
                    push(occurrence)
            continue
        occurrence = entry[-1]
        if every is not None and taken < limit:
            every.append(occurrence)
        taken += 1
        if (
            len(found) < limit
            and occurrence.start < until
            and (answered is None or (occurrence.activity.pk, occurrence.original_start) not in answered)
        ):
            found.append(occurrence)
    return found


def soonest_occurrences_by_community(*, community_ids, start, end, limit):
    """``soonest_occurrences`` of each community at once: {community id: [occurrence, ...]}, two queries."""
    base = activities_overlapping(start=start, end=end, communities_q=Q(community_id__in=list(community_ids)))
    same_community = activities_overlapping(start=start, end=end).filter(community_id=OuterRef("community_id"))
    found: dict[int, list] = {pk: [] for pk in community_ids}
    for occurrence in sorted(_soonest(base, same_community, start, end, limit), key=_by_start):
        mine = found[occurrence.activity.community_id]
        if len(mine) < limit:
            mine.append(occurrence)
    return found


def _by_start(occurrence):
    """Soonest first; two activities at the same time by title, then by id, so every list agrees."""
    return (occurrence.start, occurrence.activity.title, occurrence.activity.pk)


def _soonest(base, ranked, start, end, limit):
    """Occurrences of the activities of ``base`` that may be among the first ``limit`` of ``ranked``."""
    known = Q(next_as_of__lte=start)
    # The stored next date is the activity's first occurrence in the window (Activity.next_occurrence).
    exact = known & Q(next_end__gt=start, next_start__lt=end)
    last_needed = ranked.filter(exact).order_by("next_start").values("next_start")[limit - 1 : limit]
    soonest = exact & Q(next_start__lte=Coalesce(Subquery(last_needed), Value(end)))
    unknown = Q(next_as_of__isnull=True) | Q(next_as_of__gt=start) | Q(next_end__lte=start)
    found = []
    # What a list of dates shows; descriptions and search vectors are most of a row's bytes.
    for activity in base.filter(soonest | unknown).defer("description", "description_html", "search_vector"):
        # Each exception can take one date out of the first ``limit``.
        found.extend(activity.occurrences_between(start, end, limit=limit + len(activity.exceptions.all())))
    return found


def _member_communities_q(user: User) -> Q:
    return Q(community__in=Membership.objects.filter(user=user).values("community_id"))


def upcoming_occurrences_for(
    *, user: User, start: datetime, end: datetime, limit: int | None = None
) -> list[Occurrence]:
    """Occurrences in [start, end) of activities in communities ``user`` is a member of, cancelled ones left out.

    Each has ``.activity``, ``.start``, ``.end``, ``.community`` and ``.url`` (the page to RSVP on). Two queries.
    With ``limit``, only the soonest ``limit`` (see ``soonest_occurrences``; ``start`` not in the past).
    """
    if limit is not None:
        return soonest_occurrences(start=start, end=end, limit=limit, communities_q=_member_communities_q(user))
    activities = activities_overlapping(start=start, end=end, communities_q=_member_communities_q(user))
    return expand(activities, start, end)


def occurrences_not_answered_by(
    *, user: User, community: Community | None, start: datetime, end: datetime, limit: int
) -> list[Occurrence]:
    """The first ``limit`` occurrences in [start, end) of ``community``'s activities (None: of all their
    communities') that ``user`` has not RSVP'd to (any answer counts), nothing once they have left it:
    the list ``upcoming_occurrences_for`` and their RSVPs give. Two queries (their RSVPs come with the
    activities), compiled once per process (core.compiled); only the activities that may hold one of
    those dates are expanded (``soonest_occurrences``), with as many more as the dates they answered.

    For one community, the community's first ``limit`` dates (answered or not) over at least COMING_UP_DAYS
    come out of the same work and are kept for the page's "Coming up" (``kept_soonest``): the activities are
    read for that window, which holds every candidate of the shorter one too."""
    activities, exceptions, answers = _unanswered_statements(
        limit, connection.vendor == "postgresql", community is not None
    )
    wide = end if community is None else max(end, start + timedelta(days=COMING_UP_DAYS))
    values = {"member": user.pk, "start": start, "end": wide}
    if community is not None:
        values["community"] = community.pk
    rows = activities(**values)
    changes = _changes_by_activity(rows, exceptions(**values) if rows else ())  # as a prefetch: none for none
    if answers is None:
        answered = {(activity.pk, moment) for activity in rows for moment in activity.answered_starts or ()}
    else:  # SQLite (`make run`) has no arrays: the answers are one more query
        answered = set(answers(member=user.pk))
    candidates = []
    for activity in rows:
        mine = sum(1 for activity_id, _moment in answered if activity_id == activity.pk)
        # Each exception and each date they answered can take one date out of the first ``limit``.
        candidates.append((activity, changes[activity.pk], limit + len(changes[activity.pk]) + mine))
    if community is None:
        return _first(candidates, start, end, limit, answered=answered)
    every: list[Occurrence] = []
    found = _first(candidates, start, wide, limit, answered=answered, every=every, until=end)
    # Whether answered or not, these are the community's first dates: "Coming up" need not work them out again.
    vars(community)[_KEPT_DATES] = KeptDates(start=start, end=wide, occurrences=every, complete=len(every) < limit)
    return found


# The community home's "Coming up" lists the dates of this many days ahead (calendar_app.panels).
COMING_UP_DAYS = 120
# Where a community's first dates are kept for the rest of the request (on the Community instance the
# community home's panels share; see ``kept_soonest``).
_KEPT_DATES = "_kept_soonest_dates"
# Kept dates are read only this soon after they were worked out: within the same page.
KEPT_FOR = timedelta(seconds=5)


@dataclass(frozen=True)
class KeptDates:
    """The first occurrences of a community in [start, end) (answered or not), as ``_first`` merged them;
    ``complete``: every one of that window (fewer than were asked for)."""

    start: datetime
    end: datetime
    occurrences: list[Occurrence]
    complete: bool


def kept_soonest(*, community: Community, now: datetime, days: int, limit: int) -> tuple[datetime, list]:
    """What ``soonest_occurrences`` gives for ``community`` over ``days`` days, ``limit`` of them: from the
    dates this page worked out a moment ago for the member's What needs you (``occurrences_not_answered_by``
    of the same community) when those hold them, with no query; else its two queries. Returns the moment
    the dates are as of, and the dates.

    The kept dates are the community's first occurrences from their ``start``: when there are at least
    ``limit`` of them, or all those of a window at least ``days`` long, the first ``limit`` of them that
    start within ``days`` days are the first of that window too."""
    kept = vars(community).get(_KEPT_DATES)
    if kept is not None and timedelta(0) <= now - kept.start <= KEPT_FOR:
        horizon = kept.start + timedelta(days=days)
        # A date of [start, horizon) the kept ones lack comes after all of them: after the limit-th, or
        # after the end of a window they hold completely.
        if len(kept.occurrences) >= limit or (kept.complete and kept.end >= horizon):
            return kept.start, [o for o in kept.occurrences[:limit] if o.start < horizon]
    end = now + timedelta(days=days)
    return now, soonest_occurrences(community=community, start=now, end=end, limit=limit)


@cache
def _unanswered_statements(limit: int, arrays: bool, one_community: bool) -> tuple[Compiled, Compiled, Compiled | None]:
    """``occurrences_not_answered_by``'s candidates, their exceptions and (without arrays) the answers."""

    def base(member, start, end, community=None):
        theirs = Membership.objects.filter(user_id=member).values("community_id")
        rows = Activity.objects.filter(Q(span_start__lt=end) & (Q(span_end__isnull=True) | Q(span_end__gt=start)))
        if one_community:
            rows = rows.filter(community_id=community)
        return rows.filter(community_id__in=theirs).select_related("community", "focus_area").defer(*LIST_DEFER)

    def activities(member, start, end, **community):
        rows = base(member, start, end, **community)
        answered = RSVP.objects.filter(user_id=member, activity__in=rows.values("pk"))
        # Each date they answered can take one date out of the first ``limit``: that many more may be needed.
        rows = rows.filter(_candidates_q(rows, start, end, Value(limit) + _count(answered)))
        if arrays:
            mine = RSVP.objects.filter(activity_id=OuterRef("pk"), user_id=member).values("occurrence_start")
            rows = rows.annotate(answered_starts=ArraySubquery(mine))
        return rows

    def exceptions(member, start, end, **community):
        chosen = activities(member, start, end, **community).values("pk")
        return OccurrenceChange.objects.filter(activity_id__in=chosen).order_by("original_start")

    def answers(member):
        return RSVP.objects.filter(user_id=member).values_list("activity_id", "occurrence_start")

    slots = {"member": int, "start": datetime, "end": datetime, **({"community": int} if one_community else {})}
    return (
        Compiled(activities, **slots),
        Compiled(exceptions, **slots),
        None if arrays else Compiled(answers, member=int),
    )


def _as_date(value: date | datetime) -> date:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def duties_of_q(user: User) -> Q:
    """A Q over responsibilities ``user`` answers for, in communities they are still a member of.

    Assigned to them, or given to their district: the district on their account, or the
    district confirmed for them in that community (its district leaders are among them).
    """
    mine = Q(assignee=user)
    if user.district_id:
        mine |= Q(district_id=user.district_id)
    confirmed_here = Membership.objects.filter(
        user=user,
        district_confirmed=True,
        community_id=OuterRef("activity__community_id"),
        district_id=OuterRef("district_id"),
    )
    mine |= Q(Exists(confirmed_here))
    return mine & Q(activity__community__in=Membership.objects.filter(user=user).values("community_id"))


def answers_for(
    duty: Responsibility, *, user_id: int, account_district_id: int | None, confirmed_district_id: int | None
) -> bool:
    """Whether a member of ``duty``'s community answers for it, as ``duties_of_q`` says in SQL: it is assigned
    to them, or given to the district on their account or to the district confirmed for them there."""
    return duty.assignee_id == user_id or duty.district_id in (account_district_id, confirmed_district_id)


def _with_related(qs: QuerySet[Responsibility]) -> QuerySet[Responsibility]:
    return qs.select_related("activity", "activity__community", "district", "assignee")


def open_responsibilities_for(
    *, user: User, start: date | datetime, end: date | datetime, today: date | None = None
) -> QuerySet[Responsibility]:
    """Open responsibilities ``user`` answers for (``duties_of_q``), due in [start, end), with their state.

    Activity, community, district and assignee loaded: one query.
    """
    return _with_related(
        Responsibility.objects.filter(duties_of_q(user), status=Responsibility.Status.OPEN)
        .filter(due_date__gte=_as_date(start), due_date__lt=_as_date(end))
        .with_state(today)
        .order_by("due_date", "pk")
    )


def duties_needing(
    *, user: User, until: date, today: date | None = None, community: Community | None = None
) -> QuerySet[Responsibility]:
    """What ``user``'s district still has to do, due before ``until``: overdue ones (however old) first,
    oldest first, then the rest by due date; with ``community``, only that community's. Each has
    ``state``. One query."""
    duties = Responsibility.objects.filter(duties_of_q(user))
    if community is not None:
        duties = duties.filter(activity__community=community)
    return _with_related(
        duties.not_done().filter(due_date__lt=_as_date(until)).with_state(today).order_by("due_date", "pk")
    )


def duties_needing_for_many(*, users, communities_of, confirmed, until, today=None):
    """``duties_needing`` for a batch of people: {user id: [responsibility, ...]}, one query.

    ``communities_of`` maps each user id to the ids of their communities, ``confirmed`` maps
    (user id, community id) to the district confirmed for them there: who answers for a duty
    is decided as ``duties_of_q`` decides it.
    """
    communities = set().union(*(set(ids) for ids in communities_of.values()))
    districts = {user.district_id for user in users if user.district_id} | set(confirmed.values())
    rows = _with_related(
        Responsibility.objects.filter(Q(assignee__in=[user.pk for user in users]) | Q(district_id__in=districts))
        .filter(activity__community_id__in=communities)
        .not_done()
        .filter(due_date__lt=_as_date(until))
        .with_state(today)
        .order_by("due_date", "pk")
    )
    found: dict[int, list] = {user.pk: [] for user in users}
    # Who might answer for a row, looked up instead of trying every person on every row.
    of_district: dict[int, list[int]] = defaultdict(list)
    district_of = {user.pk: user.district_id for user in users}
    for user in users:
        if user.district_id:
            of_district[user.district_id].append(user.pk)
    confirmed_in: dict[tuple, list[int]] = defaultdict(list)
    for (user_id, community_id), district_id in confirmed.items():
        confirmed_in[community_id, district_id].append(user_id)
    for row in rows:
        community_id = row.activity.community_id
        candidates = {*of_district.get(row.district_id, ()), *confirmed_in.get((community_id, row.district_id), ())}
        if row.assignee_id in found:
            candidates.add(row.assignee_id)
        for user_id in candidates:
            if community_id in communities_of.get(user_id, ()) and answers_for(
                row,
                user_id=user_id,
                account_district_id=district_of[user_id],
                confirmed_district_id=confirmed.get((user_id, community_id)),
            ):
                found[user_id].append(row)
    return found


def led_communities_q(user: User) -> Q:
    """Communities ``user`` leads: a district leader or moderator there (they plan the districts' duties)."""
    return Q(
        pk__in=Membership.objects.filter(user=user)
        .filter(Q(is_district_leader=True) | Q(is_moderator=True))
        .values("community_id")
    )


@dataclass
class OverdueGroup:
    district: District
    duties: list = field(default_factory=list)


# The Overdue page lists at most this many (oldest first); more than that is a conversation, not a list.
OVERDUE_LIMIT = 500


def overdue_for_leader(*, user: User, today: date | None = None) -> list[OverdueGroup]:
    """Overdue responsibilities in every community ``user`` leads, grouped by district (by name), oldest
    first within each; each duty has ``state`` and ``may_update`` (may this leader mark it done). Two queries."""
    communities = Community.objects.filter(led_communities_q(user))
    duties = list(
        _with_related(
            Responsibility.objects.overdue(today)
            .filter(activity__community__in=communities)
            .with_state(today)
            .order_by("district__name", "district_id", "due_date", "pk")
        )[:OVERDUE_LIMIT]
    )
    if not duties:
        return []
    memberships = {
        m.community_id: m
        for m in Membership.objects.filter(user=user, community_id__in={d.activity.community_id for d in duties})
    }
    groups: list[OverdueGroup] = []
    duty: Any  # a Responsibility that gets ``may_update`` below
    for duty in duties:
        access = Access(
            community=duty.activity.community, user=user, membership=memberships.get(duty.activity.community_id)
        )
        duty.may_update = access.may_act_for_district(duty.district_id)
        if not groups or groups[-1].district.pk != duty.district_id:
            groups.append(OverdueGroup(district=duty.district))
        groups[-1].duties.append(duty)
    return groups


def duty_recipients(duties: Iterable[Responsibility]) -> dict[int, list[int]]:
    """{duty pk: sorted user ids} of who answers for each duty: active members of its community whose
    confirmed district there, or account district, is the duty's, and its assignee while a member. One query."""
    duties = list(duties)
    if not duties:
        return {}
    districts = {d.district_id for d in duties}
    rows = (
        Membership.objects.filter(community_id__in={d.activity.community_id for d in duties}, user__is_active=True)
        .filter(
            Q(district_confirmed=True, district_id__in=districts)
            | Q(user__district_id__in=districts)
            | Q(user_id__in={d.assignee_id for d in duties if d.assignee_id})
        )
        .values_list("community_id", "user_id", "district_id", "district_confirmed", "user__district_id")
    )
    found: dict[int, set] = {d.pk: set() for d in duties}
    by_community: dict[int, list] = {}
    for row in rows:
        by_community.setdefault(row[0], []).append(row)
    for duty in duties:
        for _, user_id, district_here, confirmed, account_district in by_community.get(duty.activity.community_id, []):
            if answers_for(
                duty,
                user_id=user_id,
                account_district_id=account_district,
                confirmed_district_id=district_here if confirmed else None,
            ):
                found[duty.pk].add(user_id)
    return {pk: sorted(ids) for pk, ids in found.items()}


def responsibilities_of_activity(*, activity: Activity, today: date | None = None) -> QuerySet[Responsibility]:
    return (
        activity.responsibilities.select_related("district", "assignee")
        .with_state(today)
        .order_by("occurrence_start", "due_date")
    )


def district_responsibilities(
    *,
    community: Community,
    user: User,
    start: date | datetime,
    end: date | datetime,
    today: date | None = None,
    membership: Membership | None = None,
) -> QuerySet[Responsibility]:
    """What ``user``'s district (or the user) must do in this community, due in [start, end): one query.

    ``membership`` is ``user``'s in ``community`` when the caller has it: then which districts are theirs
    is known (``answers_for``), and the query needs neither the memberships nor a subquery per row.
    """
    if membership is not None:
        districts = {user.district_id, membership.confirmed_district_id} - {None}
        mine = Q(assignee_id=user.pk)
        if districts:
            mine |= Q(district_id__in=sorted(districts))
        duties = Responsibility.objects.filter(mine, activity__community_id=community.pk)
    else:
        duties = Responsibility.objects.filter(duties_of_q(user), activity__community=community)
    return _with_related(
        duties.filter(due_date__gte=_as_date(start), due_date__lt=_as_date(end))
        .with_state(today)
        .order_by("due_date", "pk")
    )


# What the month page's "Your district's responsibilities" shows of each duty (member_duties).
DUTY_FIELDS = (
    "pk", "task", "due_date", "occurrence_start", "status", "state_value", "activity_id", "activity__title",
    "district_id", "district__name", "assignee_id", "assignee__display_name", "assignee__username",
)  # fmt: skip


def _duties_query(*, community_id, assignee_id, district_ids, start, end, today) -> QuerySet:
    mine = Q(assignee_id=assignee_id)
    if district_ids:
        mine |= Q(district_id__in=district_ids)
    duties = Responsibility.objects.filter(mine, activity__community_id=community_id)
    duties = duties.filter(due_date__gte=start, due_date__lt=end).with_state(today)
    return duties.order_by("due_date", "pk").values_list(*DUTY_FIELDS)


@cache
def _duties_statement(districts: int) -> Compiled:
    """``_duties_query`` compiled once for a member of ``districts`` districts; today's "due soon" limit is
    worked out on each call (RESPONSIBILITY_DUE_SOON_DAYS may change)."""
    names = tuple(f"district_{n}" for n in range(districts))

    def duties(community, assignee, start, end, today, **district_ids):
        ids = [district_ids[name] for name in names]
        return _duties_query(
            community_id=community, assignee_id=assignee, district_ids=ids, start=start, end=end, today=today
        )

    soon = Derived(lambda values: values["today"] + timedelta(days=due_soon_days()))
    slots = {"community": int, "assignee": int, **dict.fromkeys(names, int)}
    return Compiled(duties, **slots, start=date, end=date, today=date, soon=soon)


def member_duties(
    *, community: Community, user: User, membership: Membership, start: date, end: date
) -> list[Responsibility]:
    """``district_responsibilities`` for a member whose ``membership`` the page has, as the month page shows
    them (the duty, its activity's title, district and assignee, its state as of today): one query, its SQL
    compiled once per process (core.compiled). The duties are built from those fields alone."""
    districts = sorted({user.district_id, membership.confirmed_district_id} - {None})
    ids = {f"district_{n}": district for n, district in enumerate(districts)}
    statement = _duties_statement(len(districts))
    rows = statement(community=community.pk, assignee=user.pk, **ids, start=start, end=end, today=timezone.localdate())
    duties = []
    for row in rows:
        (pk, task, due, occurrence, status, state, activity_id, title,
         district_id, district_name, assignee_id, display_name, username) = row  # fmt: skip
        duty = Responsibility(
            pk=pk, task=task, due_date=due, occurrence_start=occurrence, status=status,
            activity=Activity(pk=activity_id, title=title, community=community),
            district=District(pk=district_id, name=district_name),
            assignee=User(pk=assignee_id, display_name=display_name, username=username) if assignee_id else None,
        )  # fmt: skip
        vars(duty)["state_value"] = state  # where with_state's annotation goes (Responsibility.state)
        duties.append(duty)
    return duties


# -- the month grid ----------------------------------------------------------


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    occurrences: list = field(default_factory=list)


def parse_month(text: str, today: date) -> date | None:
    """``YYYY-MM`` to the first day of that month; ``None`` when it is not a month we show."""
    if not text:
        return today.replace(day=1)
    if not text.isascii() or len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return None
    year, month = int(text[:4]), int(text[5:])
    if not (1970 <= year <= 2200 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


# What the month grid shows of an activity and of each of its exceptions: ``month_rows`` reads these,
# ``month_activities`` makes activities of them, and the grid's cache key digests them.
MONTH_ACTIVITY_FIELDS = ("pk", "title", "kind", "start", "end", "all_day", "time_zone", "recurrence")
MONTH_CHANGE_FIELDS = ("original_start", "cancelled", "new_start", "new_end")


def month_window(first: date) -> tuple[list[list[date]], datetime, datetime]:
    """The weeks the grid of the month starting ``first`` shows, and the instants they start and end."""
    weeks = calendar.Calendar(FIRST_WEEKDAY).monthdatescalendar(first.year, first.month)
    return weeks, local_midnight(weeks[0][0]), local_midnight(weeks[-1][-1] + timedelta(days=1))


def _month_rows_query(*, community_id: int, start: datetime, end: datetime) -> QuerySet:
    changes = [f"exceptions__{name}" for name in MONTH_CHANGE_FIELDS]
    qs = Activity.objects.filter(Q(span_start__lt=end) & (Q(span_end__isnull=True) | Q(span_end__gt=start)))
    qs = qs.filter(community_id=community_id)
    return qs.values_list(*MONTH_ACTIVITY_FIELDS, *changes).order_by("pk", "exceptions__original_start")


@cache
def _month_rows_statement() -> Compiled:
    def rows(community, start, end):
        return _month_rows_query(community_id=community, start=start, end=end)

    return Compiled(rows, community=int, start=datetime, end=datetime)


def month_rows(*, community: Community, start: datetime, end: datetime) -> list[tuple]:
    """Every activity of ``community`` that may fall in [start, end) (as ``activities_overlapping``), one row
    per exception (one row with empty exception fields when it has none), by activity then original start:
    one query of the few fields the grid shows (MONTH_ACTIVITY_FIELDS then MONTH_CHANGE_FIELDS), its SQL
    compiled once per process (core.compiled)."""
    return _month_rows_statement()(community=community.pk, start=start, end=end)


def month_activities(rows: Iterable[tuple], *, community: Community) -> list[tuple[Activity, list[OccurrenceChange]]]:
    """The activities of ``month_rows``, each with its exceptions (no query)."""
    found: dict[int, tuple[Activity, list[OccurrenceChange]]] = {}
    width = len(MONTH_ACTIVITY_FIELDS)
    for row in rows:
        pk = row[0]
        if pk not in found:
            values = dict(zip(MONTH_ACTIVITY_FIELDS[1:], row[1:width], strict=True))
            found[pk] = (Activity(pk=pk, community=community, **values), [])
        activity, changes = found[pk]
        change = dict(zip(MONTH_CHANGE_FIELDS, row[width:], strict=True))
        if change["original_start"] is not None:
            changes.append(OccurrenceChange(activity=activity, **change))
    return list(found.values())


def month_grid(
    *, community: Community, first: date, rows: Iterable[tuple] | None = None
) -> tuple[list[list[Any]], list[Occurrence]]:
    """Weeks of ``Day`` for the month starting ``first``, in the viewer's time zone, and the month's
    occurrences: one query (``month_rows``), none when the caller read ``rows`` already."""
    weeks, start, end = month_window(first)
    today = timezone.localdate()
    days = {day: Day(day, day.month == first.month, day == today) for week in weeks for day in week}
    if rows is None:
        rows = month_rows(community=community, start=start, end=end)
    found = []
    for activity, changes in month_activities(rows, community=community):
        found.extend(activity.occurrences_between(start, end, changes=changes))
    found.sort(key=_by_start)
    occurrences = found[:MAX_OCCURRENCES_PER_PAGE]
    for occurrence in occurrences:
        day = days.get(occurrence.local_date)
        if day is not None:
            day.occurrences.append(occurrence)
    month_occurrences = [o for o in occurrences if o.local_date.month == first.month]
    return [[days[day] for day in week] for week in weeks], month_occurrences


# -- RSVPs -------------------------------------------------------------------


def rsvp_summary(*, activity: Activity, occurrence_start: datetime | None) -> dict[str, int]:
    """Counts by response for one occurrence: one query."""
    rows = (
        RSVP.objects.filter(activity=activity, occurrence_start=occurrence_start)
        .values("response")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(RSVP.Response.values, 0)
    counts.update({row["response"]: row["n"] for row in rows})
    return counts


def rsvps_for(*, activity: Activity, occurrence_start: datetime | None) -> QuerySet[RSVP]:
    return (
        RSVP.objects.filter(activity=activity, occurrence_start=occurrence_start)
        .select_related("user", "user__district")
        .order_by("response", "user__display_name")
    )


# -- the plan of districts by month ---------------------------------------------


@dataclass
class PlanRow:
    """One line of the plan: a date of an activity and who does what for it.

    ``rotation`` is set for a rotating duty's date, whose district a leader may change in
    place; ``duty`` is None on such a date when no district has it yet (a gap).
    """

    start: datetime
    activity: Activity
    duty: Responsibility | None = None
    rotation: Rotation | None = None
    original_start: datetime | None = None

    @property
    def key(self) -> str:
        return occurrence_key(self.original_start) if self.original_start is not None else ""

    @property
    def is_gap(self) -> bool:
        return self.rotation is not None and self.duty is None

    @property
    def cell_id(self) -> str:
        return f"cell-{self.rotation.pk}-{self.key}" if self.rotation is not None else ""


@dataclass
class PlanMonth:
    first: date
    rows: list = field(default_factory=list)
    assignments: list = field(default_factory=list)  # (district, [responsibility, ...])

    @property
    def gaps(self) -> list[PlanRow]:
        return [row for row in self.rows if row.is_gap]


def plan_by_month(
    *, community: Community, first: date, months: int = 12, district_first: Any = None
) -> list[PlanMonth]:
    """Who does what in each month from ``first``: a row per rotation date and per responsibility. Six queries.

    A rotation date without a district is a gap; months and districts without one expected show none.
    A responsibility for a whole series counts in every month the series happens. Rows of
    ``district_first`` (a district leader's own) come first in each month.
    """
    from calendar_app.models import Rotation

    start = local_midnight(first)
    end = local_midnight(add_months(first, months))
    plan = [PlanMonth(add_months(first, i)) for i in range(months)]
    index = {(m.first.year, m.first.month): m for m in plan}
    by_month: dict[tuple[int, int], dict] = {key: {} for key in index}
    districts = {}
    responsibilities = (
        Responsibility.objects.filter(activity__community=community)
        .filter(
            Q(rotation__isnull=True)
            | Q(occurrence_start__gte=start - timedelta(days=366), occurrence_start__lt=end + timedelta(days=366))
        )
        .select_related("activity", "activity__community", "district", "assignee")
        .prefetch_related("activity__exceptions")
        .with_state()
        .order_by("due_date", "pk")
    )
    rotation_duties = {}
    for responsibility in responsibilities:
        districts[responsibility.district_id] = responsibility.district
        if responsibility.rotation_id is not None:
            rotation_duties[(responsibility.rotation_id, responsibility.occurrence_start)] = responsibility
            continue
        activity = responsibility.activity
        if responsibility.occurrence_start is not None or not activity.is_recurring:
            moments = [responsibility.when]
        else:
            moments = [occurrence.start for occurrence in activity.occurrences_between(start, end)]
        seen = set()
        for moment in moments:
            local = timezone.localtime(moment)
            key = (local.year, local.month)
            if key in by_month and key not in seen:
                seen.add(key)
                by_month[key].setdefault(responsibility.district_id, []).append(responsibility)
                index[key].rows.append(PlanRow(start=moment, activity=activity, duty=responsibility))
    rotations = (
        Rotation.objects.filter(activity__community=community)
        .select_related("activity", "activity__community")
        .prefetch_related(
            Prefetch("activity__exceptions", queryset=OccurrenceChange.objects.order_by("original_start"))
        )
    )
    for rotation in rotations:
        for occurrence in rotation.activity.occurrences_between(start, end):
            local = timezone.localtime(occurrence.start)
            month = index.get((local.year, local.month))
            if month is None:
                continue
            duty = rotation_duties.get((rotation.pk, occurrence.original_start))
            if duty is not None:
                by_month[(local.year, local.month)].setdefault(duty.district_id, []).append(duty)
            month.rows.append(
                PlanRow(
                    start=occurrence.start,
                    activity=rotation.activity,
                    duty=duty,
                    rotation=rotation,
                    original_start=occurrence.original_start,
                )
            )

    def order(row: PlanRow) -> tuple[bool, datetime, str]:
        theirs = district_first is not None and row.duty is not None and row.duty.district_id == district_first
        return (not theirs, row.start, row.activity.title)

    for key, month in index.items():
        month.rows.sort(key=order)
        assigned = by_month[key]
        month.assignments = sorted(((districts[pk], items) for pk, items in assigned.items()), key=lambda a: a[0].name)
    return plan


def my_communities(*, user: User) -> QuerySet[Community]:
    return Community.objects.filter(memberships__user=user).order_by("name")


def what_deleting_removes(*, activity: Activity) -> list[str]:
    """What deleting ``activity`` takes with it, as sentences for the confirm page: two queries."""
    lines = []
    if activity.is_recurring:
        lines.append(f"Remove every date of this series ({activity.recurrence_text}).")
    else:
        lines.append("Remove it from the calendar and from subscribed calendars.")
    responsibilities = activity.responsibilities.count()
    if responsibilities:
        lines.append(
            f"Delete its {responsibilities} responsibilit{'y' if responsibilities == 1 else 'ies'} of districts."
        )
    answers = activity.rsvps.count()
    if answers:
        lines.append(f"Delete {answers} RSVP{'' if answers == 1 else 's'}.")
    return lines


def search_section(
    *,
    viewer: User,
    terms: core_search.Terms,
    scope: core_search.Scope,
    filters: core_search.Filters,
    page_number: int | str | None,
    per_page: int,
) -> core_search.Section:
    """Activities matching ``terms`` in communities ``scope`` allows (site search): two queries."""
    rows = core_search.Rows(
        Activity,
        ("activities", scope, filters),
        lambda: filters.apply(Activity.objects.filter(scope.q()), author_field="organizer"),
    )
    return core_search.ranked_section(
        rows,
        terms,
        kind="activities",
        label="Activities",
        template="calendar_app/includes/search_hits.html",
        page_number=page_number,
        per_page=per_page,
        snippet_field="description",
    )


# -- attendance ----------------------------------------------------------------


def attendance_members(*, community: Community) -> QuerySet[User]:
    """The community's members to mark, by name (one query when evaluated)."""
    return (
        User.objects.filter(memberships__community=community)
        .select_related("district")
        .order_by("display_name", "username")
    )


def attended_user_ids(*, activity: Activity, occurrence_start: datetime | None) -> set[int]:
    """Who is marked at one date: one query."""
    return set(
        Attendance.objects.filter(activity=activity, occurrence_start=occurrence_start).values_list(
            "user_id", flat=True
        )
    )


def going_user_ids(*, activity: Activity, occurrence_start: datetime | None) -> set[int]:
    return set(
        RSVP.objects.filter(
            activity=activity, occurrence_start=occurrence_start, response=RSVP.Response.GOING
        ).values_list("user_id", flat=True)
    )


def attendances_of(
    *, user: User, start: date | None = None, end: date | None = None, community: Community | None = None
) -> QuerySet[Attendance]:
    """A person's attendance, newest first, with activity and community: one query."""
    rows = Attendance.objects.filter(user=user).select_related("activity", "activity__community")
    if start is not None:
        rows = rows.filter(attended_on__gte=start)
    if end is not None:
        rows = rows.filter(attended_on__lt=end)
    if community is not None:
        rows = rows.filter(activity__community=community)
    return rows.order_by("-attended_on")
