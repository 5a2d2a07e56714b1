"""How far a community is towards its charter goals: at most 1 + 2 queries per goal (three goals at most)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Min, OuterRef, Q, Subquery
from django.utils import timezone

from calendar_app.models import Responsibility
from core.compiled import Compiled
from discussions.models import Post, Thread
from polls.models import BallotChoice, Poll
from reports.models import CharterGoal
from resources.models import Resource

UNITS = {
    CharterGoal.Metric.APPROVED_RESOURCES: "",
    CharterGoal.Metric.ANSWERED_WITHIN: "%",
    CharterGoal.Metric.PULSE_AVERAGE: "",
    CharterGoal.Metric.DISTRICTS_HOSTING: "%",
}


@dataclass
class GoalProgress:
    goal: CharterGoal
    value: float
    percent: int  # of the target, capped at 100

    @property
    def unit(self):
        return UNITS[self.goal.metric]

    @property
    def target(self):
        value = float(self.goal.target)
        return int(value) if value.is_integer() else value

    @property
    def met(self):
        return self.value >= float(self.goal.target)


def _window(goal):
    start = timezone.make_aware(datetime.combine(goal.starts_on, time.min))
    end = timezone.make_aware(datetime.combine(goal.due_on + timedelta(days=1), time.min))
    return start, end


def measure(goal):
    """The goal's metric now, from the community's own data."""
    start, end = _window(goal)
    community_id = goal.community_id
    if goal.metric == CharterGoal.Metric.APPROVED_RESOURCES:
        return Resource.objects.filter(
            community_id=community_id,
            status__in=(Resource.Status.APPROVED, Resource.Status.FEATURED),
            approved_at__gte=start,
            approved_at__lt=end,
        ).count()
    if goal.metric == CharterGoal.Metric.ANSWERED_WITHIN:
        first = (
            Post.objects.filter(thread=OuterRef("pk"), parent=None, is_hidden=False, is_deleted=False)
            .order_by()
            .values("thread")
            .annotate(first=Min("created_at"))
            .values("first")[:1]
        )
        within = timedelta(days=goal.days or 1)
        figures = (
            Thread.objects.filter(
                community_id=community_id,
                kind=Thread.Kind.QUESTION,
                is_hidden=False,
                created_at__gte=start,
                created_at__lt=min(end, timezone.now() - within),
            )
            .annotate(wait=ExpressionWrapper(Subquery(first) - F("created_at"), output_field=DurationField()))
            .aggregate(asked=Count("pk"), quick=Count("pk", filter=Q(wait__lte=within)))
        )
        return round(100 * figures["quick"] / figures["asked"], 1) if figures["asked"] else 0
    if goal.metric == CharterGoal.Metric.PULSE_AVERAGE:
        average = BallotChoice.objects.filter(
            ballot__poll__community_id=community_id,
            ballot__poll__kind=Poll.Kind.SCALE,
            ballot__poll__opens_at__gte=start,
            ballot__poll__opens_at__lt=end,
        ).aggregate(avg=Avg(F("choice__position") + 1))["avg"]
        return round(float(average), 2) if average is not None else 0
    districts = goal.community.districts.count()
    hosting = (
        Responsibility.objects.filter(
            activity__community_id=community_id,
            district__communities=community_id,
            due_date__gte=goal.starts_on,
            due_date__lte=goal.due_on,
        )
        .values("district_id")
        .distinct()
        .count()
    )
    return round(100 * hosting / districts, 1) if districts else 0


def progress(*, community):
    """Each charter goal of ``community`` with its current value and share of its target: the goals in one
    query (compiled once per process, core.compiled), then what each goal's measure costs."""
    found = []
    for goal in _goals_statement()(community=community.pk):
        value = measure(goal)
        percent = int(min(100, 100 * float(value) / float(goal.target))) if goal.target else 0
        found.append(GoalProgress(goal=goal, value=value, percent=percent))
    return found


@cache
def _goals_statement() -> Compiled:
    return Compiled(
        lambda community: CharterGoal.objects.filter(community_id=community).select_related("community"), community=int
    )
