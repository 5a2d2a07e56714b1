"""The reads other apps use: the digests and the community home."""

from datetime import UTC, date, datetime, timedelta

import pytest

from calendar_app.selectors import open_responsibilities_for, upcoming_occurrences_for
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, ResponsibilityFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
START, END = datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)


def test_upcoming_occurrences_are_from_my_communities_expanded_without_cancelled(community, member):
    start = datetime(2027, 3, 2, 15, tzinfo=UTC)
    weekly = ActivityFactory(community=community, title="Weekly", start=start, recurrence="FREQ=WEEKLY;COUNT=10")
    OccurrenceChangeFactory(activity=weekly, original_start=start + timedelta(days=7), cancelled=True)
    ActivityFactory(community=CommunityFactory(), title="Not mine", start=start)
    found = upcoming_occurrences_for(user=member, start=START, end=END)
    assert [o.start.day for o in found] == [2, 16, 23, 30]
    assert {o.community for o in found} == {community}
    assert found[0].url.startswith(f"/c/{community.slug}/calendar/{weekly.pk}/?occurrence=")


def test_upcoming_occurrences_make_a_fixed_number_of_queries(community, member, assert_num_queries_exact):
    for i in range(30):
        ActivityFactory(community=community, start=START + timedelta(days=i), recurrence="FREQ=DAILY;COUNT=3")
    with assert_num_queries_exact(2):
        found = upcoming_occurrences_for(user=member, start=START, end=END)
        assert [o.community.slug for o in found][:1] == [community.slug]


def test_open_responsibilities_for_my_district_or_me(community, districts):
    riverside, lakeview = districts
    me = UserFactory(district=riverside)
    MembershipFactory(user=me, community=community)
    activity = ActivityFactory(community=community, start=datetime(2027, 3, 10, tzinfo=UTC))
    mine = ResponsibilityFactory(activity=activity, district=riverside, due_date=date(2027, 3, 5))
    assigned = ResponsibilityFactory(activity=activity, district=lakeview, assignee=me, due_date=date(2027, 3, 6))
    ResponsibilityFactory(activity=activity, district=lakeview, due_date=date(2027, 3, 7))
    ResponsibilityFactory(activity=activity, district=riverside, due_date=date(2027, 3, 8), status="done")
    ResponsibilityFactory(activity=activity, district=riverside, due_date=date(2027, 4, 8))
    elsewhere = ActivityFactory(community=CommunityFactory(), start=START)
    ResponsibilityFactory(activity=elsewhere, district=riverside, due_date=date(2027, 3, 5))
    assert list(open_responsibilities_for(user=me, start=START, end=END)) == [mine, assigned]
    assert list(open_responsibilities_for(user=me, start=START.date(), end=END.date())) == [mine, assigned]


def test_community_home_shows_the_next_activities(client, community):
    ActivityFactory(community=community, title="Next webinar")
    page = client.get(f"/c/{community.slug}/").content.decode()
    assert "Coming up" in page
    assert "Next webinar" in page


def test_my_calendar_lists_my_communities_activities(client, community, member):
    ActivityFactory(community=community, title="Soon chat")
    ActivityFactory(community=CommunityFactory(), title="Other chat")
    client.force_login(member)
    page = client.get("/calendar/").content.decode()
    assert "Soon chat" in page
    assert "Other chat" not in page
    assert "/calendar/" in page
    assert ".ics" in page


def test_my_calendar_needs_login(client):
    assert client.get("/calendar/").status_code == 302
