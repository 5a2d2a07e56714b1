"""Writes of the reports app. Keyword-only, one transaction, permission checked here."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from communities.models import Community, Membership
from communities.permissions import Access
from reports.models import Certificate, CharterGoal
from reports.periods import Period
from reports.selectors import record_for


@transaction.atomic
def issue_certificate(*, user: User, community: Community, period: Period) -> Certificate:
    """A certificate of ``user``'s sessions and hours in ``community`` over ``period``. Members only.

    What it says is stored with it, so its verification page shows what was printed.
    """
    if not Membership.objects.filter(user=user, community=community).exists():
        raise PermissionDenied("You can get a certificate only for a community you belong to.")
    (record,) = record_for(person=user, period=period, communities=[community])
    if not record.sessions:
        raise ValidationError("You attended no sessions in that period, so there is nothing to certify yet.")
    return Certificate.objects.create(
        user=user,
        community=community,
        holder_name=user.name,
        community_name=community.name,
        first_day=period.first,
        last_day=period.last,
        minutes=record.minutes,
        sessions=[
            {"title": row.activity.title, "date": row.attended_on.date().isoformat(), "minutes": row.minutes}
            for row in reversed(record.sessions)
        ],
    )


@transaction.atomic
def add_goal(
    *,
    access: Access,
    title: str,
    metric: str,
    target: int | None,
    due_on: dt.date,
    starts_on: dt.date,
    days: int | None = None,
) -> CharterGoal:
    """A charter goal (one to three per community). Managers only."""
    if not access.may_manage:
        raise PermissionDenied("Only moderators of this community can set its goals.")
    if metric not in CharterGoal.Metric.values:
        raise ValidationError({"metric": "Pick one of the listed measures."})
    if target is None or target <= 0:
        raise ValidationError({"target": "Set a target above 0."})
    if metric == CharterGoal.Metric.ANSWERED_WITHIN and not days:
        raise ValidationError({"days": "Say within how many days a question counts as answered."})
    if metric in (CharterGoal.Metric.ANSWERED_WITHIN, CharterGoal.Metric.DISTRICTS_HOSTING) and target > 100:
        raise ValidationError({"target": "This measure is a percentage: set a target of at most 100."})
    if metric == CharterGoal.Metric.PULSE_AVERAGE and target > 5:
        raise ValidationError({"target": "The pulse runs from 1 to 5: set a target of at most 5."})
    if due_on < starts_on:
        raise ValidationError({"due_on": "The goal's date must be after the date counting starts."})
    community = type(access.community).objects.select_for_update().get(pk=access.community.pk)
    if CharterGoal.objects.filter(community=community).count() >= CharterGoal.MAX_PER_COMMUNITY:
        raise ValidationError("A community keeps one to three goals. Remove one before adding another.")
    return CharterGoal.objects.create(
        community=community,
        title=title,
        metric=metric,
        target=target,
        days=days if metric == CharterGoal.Metric.ANSWERED_WITHIN else None,
        starts_on=starts_on,
        due_on=due_on,
        created_by=access.user,
    )


@transaction.atomic
def remove_goal(*, access: Access, goal: CharterGoal) -> None:
    if not access.may_manage:
        raise PermissionDenied("Only moderators of this community can change its goals.")
    if goal.community_id != access.community.pk:
        raise PermissionDenied("That goal belongs to another community.")
    goal.delete()
