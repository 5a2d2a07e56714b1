"""The month grid comes from the fragment cache (calendar_app/fragments.py): what a viewer sees is
exactly what drawing the grid now would show them, and any change shows at once."""

import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core.cache import cache

from calendar_app import fragments
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 2, 15, tzinfo=UTC)


def grid(client, community, month="2026-03"):
    """The month grid and its list of the month page."""
    page = client.get(f"/c/{community.slug}/calendar/?month={month}")
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('<div class="d-none d-md-block">') : html.index('<div class="row g-4 mt-1">')]


@pytest.fixture
def viewer(client, community):
    person = MembershipFactory(community=community).user
    client.force_login(person)
    return person


def test_a_renamed_activity_shows_its_new_title_at_once(client, community, viewer):
    activity = ActivityFactory(community=community, title="Webinar on rubrics", start=MARCH)
    assert "Webinar on rubrics" in grid(client, community)  # now in the cache
    activity.title = "Webinar on feedback"
    activity.save()
    after = grid(client, community)
    assert "Webinar on feedback" in after
    assert "Webinar on rubrics" not in after


def test_a_cancelled_moved_or_deleted_date_shows_at_once(client, community, viewer):
    series = ActivityFactory(community=community, title="Standup", start=MARCH, recurrence="FREQ=WEEKLY;COUNT=4")
    assert grid(client, community).count("Standup") == 8  # four dates, in the grid and in the list
    OccurrenceChangeFactory(activity=series, original_start=MARCH + timedelta(days=7), cancelled=True)
    assert grid(client, community).count("Standup") == 6
    OccurrenceChangeFactory(
        activity=series,
        original_start=MARCH + timedelta(days=14),
        new_start=MARCH + timedelta(days=15),
        new_end=MARCH + timedelta(days=15, hours=1),
    )
    moved = grid(client, community)
    assert "Tue, Mar 17" in moved
    assert "Mon, Mar 16" not in moved
    assert "moved" in moved
    series.delete()
    assert "Standup" not in grid(client, community)


def test_a_new_activity_shows_at_once(client, community, viewer):
    assert "Nothing scheduled this month." in grid(client, community)
    ActivityFactory(community=community, title="Site visit", start=MARCH)
    after = grid(client, community)
    assert "Site visit" in after
    assert "Nothing scheduled this month." not in after


def test_each_viewer_sees_the_grid_in_their_own_time_zone(client, community, viewer):
    ActivityFactory(community=community, title="Late chat", start=datetime(2026, 3, 10, 22, tzinfo=UTC))
    assert "10:00 PM" in grid(client, community)
    far_east = UserFactory(time_zone="Asia/Tokyo")
    MembershipFactory(community=community, user=far_east)
    client.force_login(far_east)
    tokyo = grid(client, community)
    assert "7:00 AM" in tokyo
    assert "Wed, Mar 11" in tokyo


def test_another_community_never_gets_this_communitys_grid(client, community, viewer):
    ActivityFactory(community=community, title="Our own meeting", start=MARCH)
    assert "Our own meeting" in grid(client, community)
    other = CommunityFactory()
    MembershipFactory(community=other, user=viewer)
    assert "Our own meeting" not in grid(client, other)


def test_the_day_marked_today_moves_with_the_date(client, community, viewer):
    this_month = datetime.now(UTC).strftime("%Y-%m")
    assert "(today)" in grid(client, community, this_month)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    with mock.patch("django.utils.timezone.localdate", return_value=tomorrow.date()):
        marked = grid(client, community, tomorrow.strftime("%Y-%m"))
    today_cell = re.search(r'calendar-today">\s*<div[^>]*><span class="badge text-bg-primary">(\d+)', marked)
    assert today_cell is not None
    assert int(today_cell.group(1)) == tomorrow.day


def test_the_grid_is_drawn_once_then_read_from_the_cache(client, community, viewer):
    ActivityFactory(community=community, title="Standup", start=MARCH, recurrence="FREQ=WEEKLY;COUNT=4")
    with mock.patch.object(fragments, "draw_month", wraps=fragments.draw_month) as draw:
        first = grid(client, community)
        second = grid(client, community)
    assert draw.call_count == 1
    assert first == second


def test_the_cached_grid_is_what_drawing_it_now_gives(client, community, viewer):
    series = ActivityFactory(community=community, title="Standup", start=MARCH, recurrence="FREQ=WEEKLY;COUNT=4")
    OccurrenceChangeFactory(activity=series, original_start=MARCH + timedelta(days=7), cancelled=True)
    ActivityFactory(community=community, title="All day", start=MARCH, all_day=True)
    cached = grid(client, community)
    cached_again = grid(client, community)
    cache.clear()
    with mock.patch.object(fragments, "cache_is_degraded", return_value=True):
        drawn = grid(client, community)
    assert cached == cached_again == drawn
