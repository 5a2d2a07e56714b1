"""Endless series: the nightly beat task plans the dates that come within the horizon (issue 18, item 1)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings

from calendar_app import services, tasks
from calendar_app.models import Responsibility
from tests.calendar_app.factories import ActivityFactory
from tests.calendar_app.test_rotation import _second_tuesday, duties, four, monthly  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def endless(community):
    start = _second_tuesday()
    return ActivityFactory(
        community=community,
        title="Monthly webinar",
        start=start,
        end=start + timedelta(hours=1),
        time_zone="America/Chicago",
        recurrence="FREQ=MONTHLY;BYDAY=+2TU",
    )


def test_beat_plans_new_dates_of_an_endless_series_once_across_two_runs(leader_access, community, four):  # noqa: F811
    activity = endless(community)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four, days_before=3)
    now = datetime.now(UTC)
    planned = duties(activity)
    assert len(planned) == len(services.series_dates(activity, now=now))
    # A date that comes within the horizon later is cancelled ahead of time: it must get no duty.
    later = now + timedelta(days=200)
    new_dates = [d for d in services.series_dates(activity, now=later) if d > planned[-1].occurrence_start]
    assert len(new_dates) >= 3
    services.cancel_occurrence(access=leader_access, activity=activity, original_start=new_dates[1])

    first = services.extend_endless_rotations(now=later)
    second = services.extend_endless_rotations(now=later)

    assert first == len(new_dates) - 1
    assert second == 0
    after = duties(activity)
    assert len(after) == len(planned) + len(new_dates) - 1
    assert [d.pk for d in after[: len(planned)]] == [d.pk for d in planned]  # earlier dates are the same rows
    # Turns go on where they stopped, counting the cancelled date as a turn (dates never shift).
    every = services.series_dates(activity, now=later)
    for duty in after:
        assert duty.district == four[every.index(duty.occurrence_start) % 4]
        assert duty.due_date == duty.occurrence_start.astimezone(activity.zone).date() - timedelta(days=3)
    assert new_dates[1] not in {d.occurrence_start for d in after}


def test_beat_leaves_series_with_an_end_and_dates_left_open_alone(leader_access, community, four):  # noqa: F811
    finite = monthly(community, count=4)
    services.create_rotation(access=leader_access, activity=finite, task="hosts", districts=four)
    activity = endless(community)
    rotation = services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    gap = duties(activity)[2]
    services.delete_responsibility(access=leader_access, responsibility=gap)
    before = Responsibility.objects.count()
    assert services.extend_endless_rotations() == 0
    assert Responsibility.objects.count() == before
    assert not rotation.responsibilities.filter(occurrence_start=gap.occurrence_start).exists()


def test_the_beat_task_is_named_limited_and_scheduled():
    task = tasks.extend_endless_rotations
    assert task.name == "calendar_app.extend_endless_rotations"
    assert task.soft_time_limit
    assert task.time_limit > task.soft_time_limit
    assert settings.CELERY_BEAT_SCHEDULE["calendar-extend-rotations"]["task"] == task.name
    assert task.apply().get() == 0


def test_activity_page_says_later_dates_follow(client, community, leader, leader_access, four):  # noqa: F811
    finite = monthly(community, count=4)
    services.create_rotation(access=leader_access, activity=finite, task="hosts", districts=four)
    client.force_login(leader)
    assert "Later dates follow when the series is extended" in client.get(finite.get_absolute_url()).content.decode()
    activity = endless(community)
    services.create_rotation(access=leader_access, activity=activity, task="hosts", districts=four)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "later dates follow as they come within two years" in page
