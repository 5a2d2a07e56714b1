"""A member's dates to RSVP to on a community home (issue 19): from the stored next dates, the same list.

``occurrences_not_answered_by`` must list exactly what expanding every overlapping series and leaving out
what the member answered did, however many of the first dates they answered (each answered date lets
one more activity in), whatever was moved, cancelled, ended or went stale.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendar_app import selectors
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.calendar_app.test_next_dates import _hour, _key, _weekly, busy_calendar, expanded_activities  # noqa: F401 - its fixture
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _expanding_everything(user, community, start, end, limit):
    answered = set(user.rsvps.values_list("activity_id", "occurrence_start"))
    every = selectors.occurrences_for_community(community=community, start=start, end=end)
    return [o for o in every if (o.activity.pk, o.original_start) not in answered][:limit]


@pytest.mark.parametrize("answered", [0, 1, 3, 9])
@pytest.mark.parametrize("limit", [1, 3, 10])
@pytest.mark.parametrize("days_ahead", [0, 9])
@pytest.mark.usefixtures("busy_calendar")
def test_the_dates_to_answer_are_the_first_unanswered_of_every_expanded_series(community, answered, limit, days_ahead):
    user = MembershipFactory(community=community).user
    start = timezone.now() + timedelta(days=days_ahead)
    end = start + timedelta(days=31)
    # They answered the first ``answered`` dates, the soonest ones, which would otherwise fill the list.
    for occurrence in selectors.occurrences_for_community(community=community, start=start, end=end)[:answered]:
        RSVPFactory(activity=occurrence.activity, user=user, occurrence_start=occurrence.original_start)
    expected = _expanding_everything(user, community, start, end, limit)
    found = selectors.occurrences_not_answered_by(user=user, community=community, start=start, end=end, limit=limit)
    assert _key(found) == _key(expected)
    assert len(found) == limit


def test_a_series_whose_first_dates_were_all_answered_still_gives_its_later_ones(community):
    user = MembershipFactory(community=community).user
    daily = ActivityFactory(
        community=community, title="Daily", start=_hour(-1, 6), end=_hour(-1, 7), recurrence="FREQ=DAILY"
    )
    _weekly(community, _hour(2, 5), title="Weekly")
    now = timezone.now()
    end = now + timedelta(days=31)
    for occurrence in daily.occurrences_between(now, end)[:6]:
        RSVPFactory(activity=daily, user=user, occurrence_start=occurrence.original_start)
    found = selectors.occurrences_not_answered_by(user=user, community=community, start=now, end=end, limit=4)
    assert _key(found) == _key(_expanding_everything(user, community, now, end, 4))
    assert [o.activity.title for o in found] == ["Weekly", "Daily", "Daily", "Weekly"]


def test_only_the_activities_that_can_hold_a_listed_date_are_expanded(community, monkeypatch):
    user = MembershipFactory(community=community).user
    for n in range(30):
        _weekly(community, _hour(-7 + n % 7, 8 + n % 10), title=f"Series {n}")
    now = timezone.now()
    first = selectors.occurrences_for_community(community=community, start=now, end=now + timedelta(days=31))[0]
    RSVPFactory(activity=first.activity, user=user, occurrence_start=first.original_start)
    expanded = expanded_activities(monkeypatch)
    found = selectors.occurrences_not_answered_by(
        user=user, community=community, start=now, end=now + timedelta(days=31), limit=5
    )
    assert len(found) == 5
    assert len(expanded) <= 6  # five, and one more for the date they answered; before: all 30 series


@pytest.mark.usefixtures("busy_calendar")
def test_nothing_once_they_left(community):
    user = MembershipFactory(community=community).user
    user.memberships.all().delete()
    now = timezone.now()
    found = selectors.occurrences_not_answered_by(
        user=user, community=community, start=now, end=now + timedelta(days=31), limit=10
    )
    assert found == []
