"""Each activity's stored next date (issue 19): the soonest-first lists read it from an index, same results.

``soonest_occurrences`` must list exactly what expanding every overlapping series did
(``occurrences_for_community(...)[:n]``), whatever was moved, cancelled, ended, or went
stale since the stored dates were worked out.
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from calendar_app import selectors, services
from calendar_app.models import Activity
from calendar_app.panels import community_home_panel
from calendar_app.tasks import refresh_next_occurrences
from communities.permissions import access_for
from tests.calendar_app.conftest import CHICAGO
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _key(occurrences):
    return [(o.activity.pk, o.start, o.end, o.original_start, o.moved, o.cancelled) for o in occurrences]


def _hour(days, hour=15):
    return (timezone.now() + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def _weekly(community, start, **extra):
    return ActivityFactory(
        community=community, start=start, end=start + timedelta(hours=1), recurrence="FREQ=WEEKLY", **extra
    )


@pytest.fixture
def busy_calendar(community):
    """Series and one-offs of every shape, some of them changed after their next date was stored."""
    made = {}
    made["weekly"] = _weekly(community, _hour(-20), title="Weekly chat")
    made["daily_ends"] = ActivityFactory(
        community=community,
        title="Daily, ends soon",
        start=_hour(-2, 9),
        end=_hour(-2, 10),
        recurrence="FREQ=DAILY;COUNT=5",
    )
    made["monthly"] = ActivityFactory(
        community=community,
        title="Monthly webinar",
        start=_hour(-40, 18),
        end=_hour(-40, 19),
        recurrence="FREQ=MONTHLY;COUNT=12",
    )
    for n in range(8):
        made[f"one_off_{n}"] = ActivityFactory(community=community, title=f"Visit {n}", start=_hour(3 + 4 * n))
    made["running_now"] = ActivityFactory(
        community=community, title="Running now", start=timezone.now() - timedelta(hours=1), end=_hour(1)
    )
    # Its next two dates cancelled, a later one moved to tomorrow.
    cancelled = _weekly(community, _hour(-6, 12), title="Cancelled twice")
    dates = [o.original_start for o in cancelled.occurrences_between(timezone.now(), _hour(60))]
    for original in dates[:2]:
        OccurrenceChangeFactory(activity=cancelled, original_start=original, cancelled=True)
    OccurrenceChangeFactory(activity=cancelled, original_start=dates[3], new_start=_hour(1, 8), new_end=_hour(1, 9))
    made["cancelled"] = cancelled
    # Its next date moved out of the window.
    moved_out = _weekly(community, _hour(-13, 7), title="Moved away")
    first = moved_out.occurrences_between(timezone.now(), _hour(60))[0]
    OccurrenceChangeFactory(
        activity=moved_out, original_start=first.original_start, new_start=_hour(300), new_end=_hour(300, 16)
    )
    made["moved_out"] = moved_out
    # Rows whose stored date nobody worked out (written straight to the table) or that went stale.
    never = _weekly(community, _hour(-3, 11), title="Never worked out")
    Activity.objects.filter(pk=never.pk).update(next_start=None, next_end=None, next_as_of=None)
    stale = _weekly(community, _hour(-9, 10), title="Stale")
    a_week_ago = timezone.now() - timedelta(days=8)
    upcoming = stale.next_occurrence(a_week_ago)
    Activity.objects.filter(pk=stale.pk).update(next_start=upcoming.start, next_end=upcoming.end, next_as_of=a_week_ago)
    made["ended"] = ActivityFactory(
        community=community, title="Over", start=_hour(-30), recurrence="FREQ=DAILY;COUNT=3"
    )
    return made


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 8, 13, 40])
@pytest.mark.parametrize("days_ahead", [0, 1, 9, 45])
def test_soonest_dates_are_exactly_the_first_of_every_expanded_series(community, busy_calendar, limit, days_ahead):
    start = timezone.now() + timedelta(days=days_ahead)
    end = start + timedelta(days=120)
    expected = selectors.occurrences_for_community(community=community, start=start, end=end)[:limit]
    found = selectors.soonest_occurrences(community=community, start=start, end=end, limit=limit)
    assert _key(found) == _key(expected)
    assert len(found) == min(limit, len(selectors.occurrences_for_community(community=community, start=start, end=end)))


def expanded_activities(monkeypatch) -> list[int]:
    """The ids of the activities whose dates are expanded from now on (they are still expanded)."""
    expanded: list[int] = []
    real = Activity.occurrences_between

    def counting(self, *args, **kwargs):
        expanded.append(self.pk)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Activity, "occurrences_between", counting)
    return expanded


def test_only_the_activities_that_can_hold_a_listed_date_are_expanded(community, monkeypatch):
    for n in range(30):
        _weekly(community, _hour(-7 + n % 7, 8 + n % 10), title=f"Series {n}")
    expanded = expanded_activities(monkeypatch)
    now = timezone.now()
    found = selectors.soonest_occurrences(community=community, start=now, end=now + timedelta(days=120), limit=5)
    assert len(found) == 5
    assert len(expanded) <= 5  # before: all 30 series, each over 120 days


def test_the_stored_date_follows_cancelling_moving_and_restoring(community, leader_access):
    access = leader_access
    activity = services.schedule_activity(
        access=access,
        title="Weekly chat",
        kind=Activity.Kind.CHAT,
        start=_hour(2),
        end=_hour(2, 16),
        time_zone="UTC",
        recurrence="FREQ=WEEKLY;COUNT=4",
    )
    dates = [o.start for o in activity.occurrences_between(activity.start, activity.span_end)]
    assert (activity.next_start, activity.next_end) == (dates[0], dates[0] + timedelta(hours=1))
    services.cancel_occurrence(access=access, activity=activity, original_start=dates[0])
    activity.refresh_from_db()
    assert activity.next_start == dates[1]
    services.move_occurrence(access=access, activity=activity, original_start=dates[2], new_start=_hour(1, 9))
    activity.refresh_from_db()
    assert (activity.next_start, activity.next_end) == (_hour(1, 9), _hour(1, 10))
    services.restore_occurrence(access=access, activity=activity, original_start=dates[2])
    services.restore_occurrence(access=access, activity=activity, original_start=dates[0])
    activity.refresh_from_db()
    assert activity.next_start == dates[0]
    activity = services.update_activity(access=access, activity=activity, start=_hour(3), end=_hour(3, 16))
    assert activity.next_start == _hour(3)


def test_a_series_whose_dates_are_all_cancelled_or_over_has_no_next_date(community, leader_access):
    activity = ActivityFactory(community=community, start=_hour(1), recurrence="FREQ=DAILY;COUNT=2")
    for occurrence in activity.occurrences_between(activity.start, activity.span_end):
        services.cancel_occurrence(access=leader_access, activity=activity, original_start=occurrence.start)
    activity.refresh_from_db()
    assert activity.next_start is None
    assert activity.next_as_of is not None
    now = timezone.now()
    assert selectors.soonest_occurrences(community=community, start=now, end=now + timedelta(days=9), limit=5) == []


def test_the_next_date_keeps_wall_clock_time_across_daylight_saving(community):
    # 4pm Chicago every week from February: 22:00 UTC in winter, 21:00 UTC once DST starts (March 14, 2027).
    activity = ActivityFactory(
        community=community,
        start=datetime(2027, 2, 4, 16, tzinfo=CHICAGO),
        end=datetime(2027, 2, 4, 17, tzinfo=CHICAGO),
        time_zone="America/Chicago",
        recurrence="FREQ=WEEKLY;COUNT=10",
    )
    assert activity.next_occurrence(datetime(2027, 3, 5, tzinfo=UTC)).start == datetime(2027, 3, 11, 22, tzinfo=UTC)
    assert activity.next_occurrence(datetime(2027, 3, 12, tzinfo=UTC)).start == datetime(2027, 3, 18, 21, tzinfo=UTC)
    # The last of the ten dates, then nothing.
    assert activity.next_occurrence(datetime(2027, 4, 2, tzinfo=UTC)).start == datetime(2027, 4, 8, 21, tzinfo=UTC)
    assert activity.next_occurrence(datetime(2027, 4, 9, tzinfo=UTC)) is None
    # Stored on a night in winter, read across the change: the list is what expanding gives.
    services.refresh_next_occurrences(now=datetime(2027, 3, 10, 6, tzinfo=UTC))
    Activity.objects.filter(pk=activity.pk).update(next_as_of=datetime(2027, 3, 10, 6, tzinfo=UTC))
    start = datetime(2027, 3, 12, 23, tzinfo=UTC)
    expected = selectors.occurrences_for_community(community=community, start=start, end=start + timedelta(days=60))
    found = selectors.soonest_occurrences(community=community, start=start, end=start + timedelta(days=60), limit=3)
    assert _key(found) == _key(expected[:3])
    assert [o.start.astimezone(CHICAGO).hour for o in found] == [16, 16, 16]


def test_the_nightly_refresh_works_out_stale_and_missing_dates_once(community):
    weekly = _weekly(community, _hour(-10), title="Weekly")
    never = _weekly(community, _hour(-5), title="Never")
    over = ActivityFactory(community=community, start=_hour(-30), recurrence="FREQ=DAILY;COUNT=2")
    long_ago = timezone.now() - timedelta(days=9)
    past = weekly.next_occurrence(long_ago)
    Activity.objects.filter(pk=weekly.pk).update(next_start=past.start, next_end=past.end, next_as_of=long_ago)
    Activity.objects.filter(pk__in=[never.pk, over.pk]).update(next_start=None, next_end=None, next_as_of=None)
    now = timezone.now()
    assert services.refresh_next_occurrences(now=now) == 2  # the one that is over is left alone
    for activity in (weekly, never):
        activity.refresh_from_db()
        assert activity.next_start == activity.next_occurrence(now).start > now
        assert activity.next_as_of == now
    assert services.refresh_next_occurrences(now=now) == 0  # nothing left to do


def test_the_nightly_task_is_scheduled_by_name_with_time_limits():
    entry = settings.CELERY_BEAT_SCHEDULE["calendar-next-dates"]
    assert entry["task"] == refresh_next_occurrences.name == "calendar_app.refresh_next_occurrences"
    assert refresh_next_occurrences.soft_time_limit == 600
    assert refresh_next_occurrences.time_limit == 660
    assert entry["schedule"].hour == {0}


def test_the_coming_up_panel_takes_two_queries_with_many_series(community, assert_num_queries_exact):
    for n in range(40):
        _weekly(community, _hour(-n % 7, 8 + n % 9), title=f"Series {n}")
    viewer = MembershipFactory(community=community).user
    access = access_for(viewer, community)
    with assert_num_queries_exact(2):
        panel = community_home_panel(community=community, viewer=viewer, access=access)
    now = timezone.now()
    expected = selectors.occurrences_for_community(community=community, start=now, end=now + timedelta(days=120))
    assert [(o.activity.pk, o.start) for o in panel["occurrences"]] == [(o.activity.pk, o.start) for o in expected[:5]]


def test_cancelled_dates_do_not_shorten_the_list(community):
    daily = ActivityFactory(community=community, title="Daily", start=_hour(1), recurrence="FREQ=DAILY;COUNT=30")
    for occurrence in daily.occurrences_between(daily.start, daily.start + timedelta(days=3)):
        OccurrenceChangeFactory(activity=daily, original_start=occurrence.start, cancelled=True)
    now = timezone.now()
    found = selectors.soonest_occurrences(community=community, start=now, end=now + timedelta(days=120), limit=5)
    assert [o.start for o in found] == [_hour(1 + n) for n in range(3, 8)]


def test_activities_at_the_same_time_as_the_last_listed_are_all_weighed(community):
    # The list settles a tie by title: each of the tied ones must be a candidate, not only as many as fit.
    when = _hour(2)
    for title in ["Echo", "Delta", "Charlie", "Bravo", "Alpha", "Foxtrot"]:
        ActivityFactory(community=community, title=title, start=when)
    ActivityFactory(community=community, title="Earlier", start=_hour(1))
    now = timezone.now()
    end = now + timedelta(days=120)
    found = selectors.soonest_occurrences(community=community, start=now, end=end, limit=3)
    assert [o.activity.title for o in found] == ["Earlier", "Alpha", "Bravo"]
    assert _key(found) == _key(selectors.occurrences_for_community(community=community, start=now, end=end)[:3])


def test_the_candidates_statements_are_compiled():
    for statement in (*selectors._candidates_statements(5), *selectors._unanswered_statements(10, True, True)[:2]):
        assert statement.frozen is not None, statement.error
