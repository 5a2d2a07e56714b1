"""Reads for records, certificates, the health dashboard and the impact report.

Each selector runs a fixed number of queries, whatever the data size; aggregates run in SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from calendar_app.models import Attendance
from communities.models import Community, Membership
from discussions.models import Post, Thread
from mentoring.selectors import check_in_minutes_by_community
from polls.models import Participation
from reports.periods import Period
from resources.models import Resource

APPROVED = (Resource.Status.APPROVED, Resource.Status.FEATURED)
CONTRIBUTIONS = ("threads", "replies", "accepted_answers", "approved_resources", "polls_answered")
CONTRIBUTION_LABELS = {
    "threads": "Threads started",
    "replies": "Replies",
    "accepted_answers": "Accepted answers",
    "approved_resources": "Approved resources",
    "polls_answered": "Polls answered",
}


@dataclass
class CommunityRecord:
    community: Community
    sessions: list = field(default_factory=list)  # Attendance rows, newest first
    minutes: int = 0
    mentoring_minutes: int = 0  # check-ins with a mentor or mentee (mentoring), beside the sessions
    contributions: dict = field(default_factory=lambda: dict.fromkeys(CONTRIBUTIONS, 0))

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 2)

    @property
    def mentoring_hours(self) -> float:
        return round(self.mentoring_minutes / 60, 2)

    @property
    def contribution_rows(self) -> list[tuple[str, int]]:
        return [(CONTRIBUTION_LABELS[key], self.contributions[key]) for key in CONTRIBUTIONS]


def _counts(queryset: QuerySet[Any], community_path: str) -> dict[int, int]:
    return {row[community_path]: row["n"] for row in queryset.values(community_path).annotate(n=Count("pk"))}


def record_for(
    *, person: User, period: Period, communities: Iterable[Community] | None = None
) -> list[CommunityRecord]:
    """``person``'s PD record in ``period``, one ``CommunityRecord`` per community: eight queries.

    ``communities`` limits it (a leader's view of one community); by default, every community they belong to.
    """
    start, end = period.start, period.end
    memberships = Membership.objects.filter(user=person).select_related("community").order_by("community__name")
    if communities is not None:
        memberships = memberships.filter(community__in=communities)
    records = {m.community_id: CommunityRecord(community=m.community) for m in memberships}
    ids = list(records)
    attended = Attendance.objects.filter(
        user=person, attended_on__gte=start, attended_on__lt=end, activity__community_id__in=ids
    ).select_related("activity", "activity__community")
    for row in attended.order_by("-attended_on"):
        record = records[row.activity.community_id]
        record.sessions.append(row)
        record.minutes += row.minutes
    counts = {
        "threads": _counts(
            Thread.objects.filter(
                author=person, community_id__in=ids, created_at__gte=start, created_at__lt=end, is_hidden=False
            ),
            "community_id",
        ),
        "replies": _counts(
            Post.objects.filter(
                author=person,
                community_id__in=ids,
                created_at__gte=start,
                created_at__lt=end,
                is_hidden=False,
                is_deleted=False,
            ),
            "community_id",
        ),
        "accepted_answers": _counts(
            Thread.objects.filter(
                accepted_post__author=person,
                community_id__in=ids,
                accepted_post__created_at__gte=start,
                accepted_post__created_at__lt=end,
            ),
            "community_id",
        ),
        "approved_resources": _counts(
            Resource.objects.filter(
                submitted_by=person,
                community_id__in=ids,
                status__in=APPROVED,
                approved_at__gte=start,
                approved_at__lt=end,
            ),
            "community_id",
        ),
        # Participation has no time of its own (anonymity): the poll's opening places it.
        "polls_answered": _counts(
            Participation.objects.filter(
                user=person, poll__community_id__in=ids, poll__opens_at__gte=start, poll__opens_at__lt=end
            ),
            "poll__community_id",
        ),
    }
    for key, by_community in counts.items():
        for community_id, n in by_community.items():
            records[community_id].contributions[key] = n
    for community_id, minutes in check_in_minutes_by_community(
        user=person, start=start, end=end, community_ids=ids
    ).items():
        records[community_id].mentoring_minutes = minutes
    return list(records.values())


def district_hours(*, community: Community, period: Period, district_id: int | None = None) -> QuerySet[Membership]:
    """Hours attended per member of ``community`` in ``period`` (one district's, or all): one query."""
    members = Membership.objects.filter(community=community).select_related("user", "user__district")
    if district_id is not None:
        members = members.filter(user__district_id=district_id)
    in_period = Q(
        user__attendances__activity__community=community,
        user__attendances__attended_on__gte=period.start,
        user__attendances__attended_on__lt=period.end,
    )
    return members.annotate(
        sessions=Count("user__attendances", filter=in_period),
        minutes=Sum("user__attendances__minutes", filter=in_period, default=0),
    ).order_by("user__district__name", "user__display_name", "user__username")
