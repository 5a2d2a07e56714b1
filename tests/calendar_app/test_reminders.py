from datetime import UTC, datetime, timedelta

import pytest

from calendar_app.tasks import send_activity_reminders
from core.models import EmailDelivery
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, RSVPFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def tomorrow():
    return (datetime.now(UTC) + timedelta(hours=20)).replace(microsecond=0)


def test_going_and_maybe_members_get_one_reminder_even_when_the_task_runs_twice(community, mailoutbox):
    activity = ActivityFactory(community=community, title="Site visit", start=tomorrow(), location="Riverside MS")
    going, maybe, no = (MembershipFactory(community=community).user for _ in range(3))
    RSVPFactory(activity=activity, user=going, response="going")
    RSVPFactory(activity=activity, user=maybe, response="maybe")
    RSVPFactory(activity=activity, user=no, response="not_going")
    assert send_activity_reminders.delay().get() == 2
    assert send_activity_reminders.delay().get() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([going.email, maybe.email])
    assert "Site visit" in mailoutbox[0].subject
    assert "Riverside MS" in mailoutbox[0].body
    assert EmailDelivery.objects.filter(kind="reminder", status="sent").count() == 2


def test_no_reminder_for_a_cancelled_date(community, mailoutbox):
    start = tomorrow()
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=3")
    OccurrenceChangeFactory(activity=activity, original_start=start, cancelled=True)
    RSVPFactory(activity=activity, occurrence_start=start, user=MembershipFactory(community=community).user)
    send_activity_reminders.delay()
    assert mailoutbox == []


def test_no_reminder_a_week_ahead_or_to_someone_who_left(community, mailoutbox):
    far = ActivityFactory(community=community, start=tomorrow() + timedelta(days=7))
    RSVPFactory(activity=far, user=MembershipFactory(community=community).user)
    near = ActivityFactory(community=community, start=tomorrow())
    RSVPFactory(activity=near)  # never a member (or left)
    send_activity_reminders.delay()
    assert mailoutbox == []
