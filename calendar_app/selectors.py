"""Reads the calendar pages, feeds, reminders and digests share. Each runs a fixed number of queries."""

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from accounts.models import User
from calendar_app.models import RSVP, Activity, OccurrenceChange, Responsibility
from communities.models import Community, Membership
from core import search as core_search

FIRST_WEEKDAY = calendar.SUNDAY


def activities_overlapping(*, start, end, community: Community | None = None, communities_q=None):
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


def expand(activities, start, end):
    """The first MAX_OCCURRENCES_PER_PAGE (not cancelled) occurrences of ``activities`` in [start, end), by start.

    Each series is expanded lazily within the window (Activity.original_starts_between).
    """
    found = []
    for activity in activities:
        found.extend(activity.occurrences_between(start, end))
    found.sort(key=lambda occurrence: (occurrence.start, occurrence.activity.title))
    return found[:MAX_OCCURRENCES_PER_PAGE]


def occurrences_for_community(*, community: Community, start, end):
    return expand(activities_overlapping(start=start, end=end, community=community), start, end)


def _member_communities_q(user: User):
    return Q(community__in=Membership.objects.filter(user=user).values("community_id"))


def upcoming_occurrences_for(*, user: User, start, end):
    """Occurrences in [start, end) of activities in communities ``user`` is a member of, cancelled ones left out.

    Each has ``.activity``, ``.start``, ``.end``, ``.community`` and ``.url`` (the page to RSVP on). Two queries.
    """
    activities = activities_overlapping(start=start, end=end, communities_q=_member_communities_q(user))
    return expand(activities, start, end)


def _as_date(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def open_responsibilities_for(*, user: User, start, end):
    """Open responsibilities of ``user``'s district or assigned to ``user``, due in [start, end).

    Only in communities the user is a member of; activity, community, district and assignee loaded: one query.
    """
    mine = Q(assignee=user)
    if user.district_id:
        mine |= Q(district_id=user.district_id)
    return (
        Responsibility.objects.filter(mine, status=Responsibility.Status.OPEN)
        .filter(due_date__gte=_as_date(start), due_date__lt=_as_date(end))
        .filter(activity__community__in=Membership.objects.filter(user=user).values("community_id"))
        .select_related("activity", "activity__community", "district", "assignee")
        .order_by("due_date", "pk")
    )


def responsibilities_of_activity(*, activity: Activity):
    return activity.responsibilities.select_related("district", "assignee").order_by("occurrence_start", "due_date")


def district_responsibilities(*, community: Community, user: User, start, end):
    """What ``user``'s district (or the user) must do in this community, due in [start, end): one query."""
    mine = Q(assignee=user)
    if user.district_id:
        mine |= Q(district_id=user.district_id)
    return (
        Responsibility.objects.filter(mine, activity__community=community)
        .filter(due_date__gte=_as_date(start), due_date__lt=_as_date(end))
        .select_related("activity", "activity__community", "district", "assignee")
        .order_by("due_date", "pk")
    )


# -- the month grid ----------------------------------------------------------


@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    occurrences: list = field(default_factory=list)


def parse_month(text: str, today):
    """``YYYY-MM`` to the first day of that month; ``None`` when it is not a month we show."""
    if not text:
        return today.replace(day=1)
    if not text.isascii() or len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()):
        return None
    year, month = int(text[:4]), int(text[5:])
    if not (1970 <= year <= 2200 and 1 <= month <= 12):
        return None
    return date(year, month, 1)


def add_months(first, months):
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def local_midnight(day):
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_current_timezone())


def month_grid(*, community: Community, first):
    """Weeks of ``Day`` for the month starting ``first``, in the viewer's time zone: two queries."""
    weeks = calendar.Calendar(FIRST_WEEKDAY).monthdatescalendar(first.year, first.month)
    start = local_midnight(weeks[0][0])
    end = local_midnight(weeks[-1][-1] + timedelta(days=1))
    today = timezone.localdate()
    days = {day: Day(day, day.month == first.month, day == today) for week in weeks for day in week}
    occurrences = occurrences_for_community(community=community, start=start, end=end)
    for occurrence in occurrences:
        day = days.get(occurrence.local_date)
        if day is not None:
            day.occurrences.append(occurrence)
    month_occurrences = [o for o in occurrences if o.local_date.month == first.month]
    return [[days[day] for day in week] for week in weeks], month_occurrences


# -- RSVPs -------------------------------------------------------------------


def rsvp_summary(*, activity: Activity, occurrence_start):
    """Counts by response for one occurrence: one query."""
    rows = (
        RSVP.objects.filter(activity=activity, occurrence_start=occurrence_start)
        .values("response")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(RSVP.Response.values, 0)
    counts.update({row["response"]: row["n"] for row in rows})
    return counts


def rsvps_for(*, activity: Activity, occurrence_start):
    return (
        RSVP.objects.filter(activity=activity, occurrence_start=occurrence_start)
        .select_related("user", "user__district")
        .order_by("response", "user__display_name")
    )


# -- the plan of districts by month ---------------------------------------------


@dataclass
class PlanMonth:
    first: date
    assignments: list = field(default_factory=list)  # (district, [responsibility, ...])
    gaps: list = field(default_factory=list)


def plan_by_month(*, community: Community, first, months=12):
    """Who does what in each month from ``first``, and which districts have nothing: four queries.

    A responsibility for a whole series counts in every month the series happens.
    """
    districts = list(community.districts.order_by("name"))
    start = local_midnight(first)
    end = local_midnight(add_months(first, months))
    plan = [PlanMonth(add_months(first, i)) for i in range(months)]
    index = {(m.first.year, m.first.month): m for m in plan}
    by_month: dict[tuple[int, int], dict] = {key: {} for key in index}
    responsibilities = (
        Responsibility.objects.filter(activity__community=community)
        .select_related("activity", "activity__community", "district", "assignee")
        .prefetch_related("activity__exceptions")
        .order_by("due_date", "pk")
    )
    for responsibility in responsibilities:
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
    for key, month in index.items():
        assigned = by_month[key]
        month.assignments = [(d, assigned[d.pk]) for d in districts if d.pk in assigned]
        month.gaps = [d for d in districts if d.pk not in assigned]
    return plan


def my_communities(*, user: User):
    return Community.objects.filter(memberships__user=user).order_by("name")


def what_deleting_removes(*, activity: Activity):
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


def search_section(*, viewer: User, terms, scope, filters, page_number, per_page: int):
    """Activities matching ``terms`` in communities ``scope`` allows (site search): two queries."""
    qs = filters.apply(Activity.objects.filter(scope.q()), author_field="organizer")
    return core_search.ranked_section(
        qs,
        terms,
        kind="activities",
        label="Activities",
        template="calendar_app/includes/search_hits.html",
        page_number=page_number,
        per_page=per_page,
        snippet_field="description",
    )
