from datetime import UTC, datetime, timedelta

import pytest

from calendar_app.tasks import send_activity_reminders
from core.models import EmailDelivery
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, RSVPFactory
from tests.factories import MembershipFactory, UserFactory

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


def _reminder_for(community, mailoutbox, *, start, zone, now=None):
    from calendar_app.reminders import send_due_reminders

    activity = ActivityFactory(community=community, title="Family coding night", start=start)
    person = MembershipFactory(community=community, user=UserFactory(time_zone=zone)).user
    RSVPFactory(activity=activity, user=person, response="going")
    send_due_reminders(now=now)
    (message,) = mailoutbox
    return message


def test_a_reminder_for_later_today_says_today_in_the_recipients_zone(community, mailoutbox):
    # 14:00 UTC on a day, sent at 13:00 UTC: 8:00 AM in Chicago, the same day there.
    now = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    message = _reminder_for(community, mailoutbox, start=now + timedelta(hours=1), zone="America/Chicago", now=now)
    assert message.subject == "[CoP Forum] Today at 8:00 AM CST: Family coding night"
    assert "coming up today" in message.body
    assert "Tue, Dec 1, 2026, 8:00 AM CST (America/Chicago)" in message.body
    assert "Tomorrow" not in message.subject + message.body


def test_a_reminder_for_tomorrow_in_the_recipients_zone_says_tomorrow(community, mailoutbox):
    # Sent at 9 PM on December 1 in Tokyo; the activity is at noon on December 2 there.
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    message = _reminder_for(
        community, mailoutbox, start=datetime(2026, 12, 2, 3, 0, tzinfo=UTC), zone="Asia/Tokyo", now=now
    )
    assert message.subject == "[CoP Forum] Tomorrow at 12:00 PM JST: Family coding night"
    assert "coming up tomorrow" in message.body
    assert "(Asia/Tokyo)" in message.body


def test_the_same_moment_is_today_for_one_zone_and_tomorrow_for_another(community, mailoutbox):
    from calendar_app.reminders import when_words
    from calendar_app.selectors import expand

    now = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    activity = ActivityFactory(community=community, start=datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    (occurrence,) = expand([activity], now, now + timedelta(days=1))
    assert when_words(occurrence, zone="America/Los_Angeles", now=now)["label"] == "Today at 5:00 PM PST"
    assert when_words(occurrence, zone="Europe/Berlin", now=now)["label"] == "Tomorrow at 2:00 AM CET"
    assert when_words(occurrence, zone="UTC", now=now)["full"] == "Wed, Dec 2, 2026, 1:00 AM UTC"
