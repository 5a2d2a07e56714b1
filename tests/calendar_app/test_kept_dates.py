"""The community home works out its first dates once (issue 19): What needs you's dates serve "Coming up".

A member's What needs you (``occurrences_not_answered_by`` for one community) merges the community's
first dates, answered or not, and keeps them on the page's community; "Coming up" then lists the same
dates as working them out again would, with no query. A series whose first date is its stored next date
is expanded only when its later dates could be listed.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendar_app import selectors
from calendar_app.panels import PANEL_DAYS, PANEL_SIZE, community_home_panel
from communities.permissions import access_for
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.calendar_app.test_next_dates import _hour, _key, _weekly, expanded_activities
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _coming_up_by_expanding_everything(community, now):
    every = selectors.occurrences_for_community(community=community, start=now, end=now + timedelta(days=PANEL_DAYS))
    return every[:PANEL_SIZE]


def _needs_then_coming_up(community, user, *, days=31, assert_num_queries_exact=None):
    """What the home does for a member: their dates to answer (a month), then the panel."""
    access = access_for(user, community)
    start = timezone.now()
    selectors.occurrences_not_answered_by(
        user=user, community=community, start=start, end=start + timedelta(days=days), limit=10
    )
    if assert_num_queries_exact is None:
        return start, community_home_panel(community=community, viewer=user, access=access)["occurrences"]
    with assert_num_queries_exact(0):
        panel = community_home_panel(community=community, viewer=user, access=access)
    return start, panel["occurrences"]


def test_first_dates_of_tied_series_come_from_their_stored_dates_without_expanding(community, monkeypatch):
    # Fourteen series at the same hour tomorrow (as the benchmark's community has): five are listed.
    for n in range(14):
        _weekly(community, _hour(1, 9), title=f"Series {n:02}")
    now = timezone.now()
    end = now + timedelta(days=120)
    expected = selectors.occurrences_for_community(community=community, start=now, end=end)[:5]
    expanded = expanded_activities(monkeypatch)
    found = selectors.soonest_occurrences(community=community, start=now, end=end, limit=5)
    assert _key(found) == _key(expected)
    assert [o.activity.title for o in found] == [f"Series {n:02}" for n in range(5)]
    assert expanded == []  # before: all fourteen


def test_a_series_is_expanded_once_its_later_dates_could_be_listed(community, monkeypatch):
    daily = ActivityFactory(
        community=community, title="Daily", start=_hour(-1, 6), end=_hour(-1, 7), recurrence="FREQ=DAILY"
    )
    weekly = _weekly(community, _hour(3, 5), title="Weekly")
    now = timezone.now()
    end = now + timedelta(days=120)
    expected = selectors.occurrences_for_community(community=community, start=now, end=end)[:5]
    expanded = expanded_activities(monkeypatch)
    found = selectors.soonest_occurrences(community=community, start=now, end=end, limit=5)
    assert _key(found) == _key(expected)
    assert {o.activity.title for o in found} == {"Daily", "Weekly"}
    # Each once its first date was taken: the daily one's second date comes before the weekly one's first.
    assert expanded == [daily.pk, weekly.pk]


def test_a_members_coming_up_is_everyones_with_no_query_of_its_own(community, assert_num_queries_exact):
    for n in range(12):
        _weekly(community, _hour(n % 7, 8 + n % 9), title=f"Series {n}")
    user = MembershipFactory(community=community).user
    # The dates they answered are not in their What needs you, but still coming up.
    now = timezone.now()
    for occurrence in _coming_up_by_expanding_everything(community, now)[:3]:
        RSVPFactory(activity=occurrence.activity, user=user, occurrence_start=occurrence.original_start)
    start, found = _needs_then_coming_up(community, user, assert_num_queries_exact=assert_num_queries_exact)
    assert _key(found) == _key(_coming_up_by_expanding_everything(community, start))
    assert len(found) == PANEL_SIZE


def test_coming_up_reaches_past_the_month_what_needs_you_covers(community, assert_num_queries_exact):
    ActivityFactory(community=community, title="Soon", start=_hour(2))
    ActivityFactory(community=community, title="Later", start=_hour(20))
    for n, days in enumerate((45, 60, 90, 119, 125)):
        ActivityFactory(community=community, title=f"Far {n}", start=_hour(days))
    user = MembershipFactory(community=community).user
    start, found = _needs_then_coming_up(community, user, assert_num_queries_exact=assert_num_queries_exact)
    assert [o.activity.title for o in found] == ["Soon", "Later", "Far 0", "Far 1", "Far 2"]
    assert _key(found) == _key(_coming_up_by_expanding_everything(community, start))


def test_a_community_with_few_dates_lists_them_all(community, assert_num_queries_exact):
    ActivityFactory(community=community, title="Only", start=_hour(100))
    ActivityFactory(community=community, title="Too far", start=_hour(130))
    user = MembershipFactory(community=community).user
    _start, found = _needs_then_coming_up(community, user, assert_num_queries_exact=assert_num_queries_exact)
    assert [o.activity.title for o in found] == ["Only"]


def test_dates_kept_earlier_are_worked_out_again(community, assert_num_queries_exact):
    ActivityFactory(community=community, title="First", start=_hour(2))
    user = MembershipFactory(community=community).user
    a_minute_ago = timezone.now() - timedelta(minutes=1)
    selectors.occurrences_not_answered_by(
        user=user, community=community, start=a_minute_ago, end=a_minute_ago + timedelta(days=31), limit=10
    )
    ActivityFactory(community=community, title="Added since", start=_hour(1))
    access = access_for(user, community)
    with assert_num_queries_exact(2):
        panel = community_home_panel(community=community, viewer=user, access=access)
    assert [o.activity.title for o in panel["occurrences"]] == ["Added since", "First"]
