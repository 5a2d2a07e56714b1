from datetime import UTC, datetime, timedelta

import pytest

from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def month_url(community, month="2026-03"):
    return f"/c/{community.slug}/calendar/?month={month}"


def test_month_shows_occurrences_in_the_viewers_time_zone(client, community, member):
    ActivityFactory(community=community, title="Webinar", start=datetime(2026, 3, 10, 22, tzinfo=UTC))
    member.time_zone = "America/New_York"
    member.save()
    client.force_login(member)
    page = client.get(month_url(community)).content.decode()
    assert "March 2026" in page
    assert "6:00 PM" in page
    assert "Webinar" in page


def test_an_evening_activity_lands_on_the_next_day_for_a_viewer_far_east(client, community):
    ActivityFactory(community=community, title="Late chat", start=datetime(2026, 3, 10, 22, tzinfo=UTC))
    viewer = UserFactory(time_zone="Asia/Tokyo")
    client.force_login(viewer)
    page = client.get(month_url(community)).content.decode()
    assert "Wed, Mar 11" in page
    assert "7:00 AM" in page


def test_repeating_activity_appears_on_each_date_except_cancelled_ones(client, community):
    start = datetime(2026, 3, 2, 15, tzinfo=UTC)
    activity = ActivityFactory(community=community, title="Standup", start=start, recurrence="FREQ=WEEKLY;COUNT=5")
    OccurrenceChangeFactory(activity=activity, original_start=start + timedelta(days=7), cancelled=True)
    page = client.get(month_url(community)).content.decode()
    assert "Mon, Mar 2" in page
    assert "Mon, Mar 16" in page
    assert "Mon, Mar 30" in page
    assert "Mon, Mar 9" not in page


def test_previous_and_next_month_links(client, community):
    page = client.get(month_url(community, "2026-01")).content.decode()
    assert "?month=2025-12" in page
    assert "?month=2026-02" in page


@pytest.mark.parametrize("month", ["garbage", "9999-99", "2026-13", "2026-1", "0000-01", "２０２６-０３"])  # noqa: RUF001 - full-width digits on purpose
def test_a_month_that_is_not_one_gives_a_clear_400(client, community, month):
    response = client.get(month_url(community, month))
    assert response.status_code == 400
    assert "is not a month we know" in response.content.decode()


def test_month_with_300_activities_makes_as_many_queries_as_with_3(client, community, member, assert_num_queries_exact):
    client.force_login(member)
    base = datetime(2026, 3, 1, 15, tzinfo=UTC)
    for i in range(3):
        ActivityFactory(community=community, start=base + timedelta(hours=i * 5))
    with assert_num_queries_exact(7):
        client.get(month_url(community))
    for i in range(297):
        ActivityFactory(
            community=community,
            start=base + timedelta(hours=i * 2),
            recurrence="FREQ=WEEKLY;COUNT=3" if i % 10 == 0 else "",
        )
    with assert_num_queries_exact(7):
        response = client.get(month_url(community))
    assert response.content.decode().count("calendar-entry") >= 300
