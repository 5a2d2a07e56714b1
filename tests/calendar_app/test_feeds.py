"""Feeds are read back with vobject, an iCalendar parser independent of the icalendar library that writes them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import vobject

from calendar_app.feeds import uid_for
from calendar_app.models import Activity
from calendar_app.services import (
    cancel_occurrence,
    community_feed_token,
    move_occurrence,
    reset_feed_token,
    schedule_activity,
)
from tests.calendar_app.conftest import CHICAGO, chicago
from tests.calendar_app.factories import ActivityFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.matrix import SECRET_MARKER

pytestmark = pytest.mark.django_db


def parse(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return vobject.readOne(response.content.decode())


def events(calendar):
    return list(calendar.contents.get("vevent", []))


@pytest.fixture
def monthly_chat(leader_access):
    start = chicago(2026, 1, 13, 16)
    return schedule_activity(
        access=leader_access,
        title="Monthly chat",
        kind="chat",
        start=start,
        end=start + timedelta(hours=1),
        time_zone="America/Chicago",
        meeting_url="https://meet.example.org/cop",
        recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=12",
    )


def test_public_feed_expands_to_the_same_dates_as_the_site(client, community, monthly_chat):
    calendar = parse(client.get(f"/c/{community.slug}/calendar.ics"))
    (event,) = events(calendar)
    assert (
        event.uid.value == uid_for(monthly_chat) == f"activity-{monthly_chat.pk}@{uid_for(monthly_chat).split('@')[1]}"
    )
    assert event.dtstart.value == chicago(2026, 1, 13, 16)
    assert (
        "DTSTART;TZID=America/Chicago:20260113T160000"
        in client.get(f"/c/{community.slug}/calendar.ics").content.decode()
    )
    parsed = [moment.astimezone(UTC) for moment in event.getrruleset()]
    ours = [o.start for o in monthly_chat.occurrences_between(monthly_chat.span_start, monthly_chat.span_end)]
    assert parsed == ours
    assert {m.astimezone(CHICAGO).hour for m in event.getrruleset()} == {16}


def test_feed_includes_the_vtimezone_it_uses(client, community, monthly_chat):
    calendar = parse(client.get(f"/c/{community.slug}/calendar.ics"))
    assert [tz.tzid.value for tz in calendar.contents["vtimezone"]] == ["America/Chicago"]
    body = client.get(f"/c/{community.slug}/calendar.ics").content.decode()
    assert "BEGIN:DAYLIGHT" in body
    assert "BEGIN:STANDARD" in body
    assert "PRODID:" in body


def test_feed_says_how_often_to_refresh_as_durations(client, community, monthly_chat):
    body = client.get(f"/c/{community.slug}/calendar.ics").content.decode()
    assert "\r\nX-PUBLISHED-TTL:PT1H\r\n" in body
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in body
    calendar = parse(client.get(f"/c/{community.slug}/calendar.ics"))
    assert calendar.contents["x-published-ttl"][0].value == "PT1H"


def test_cancelled_date_becomes_an_exdate_and_sequence_rises(client, community, monthly_chat, leader_access):
    second = monthly_chat.occurrences_between(monthly_chat.span_start, monthly_chat.span_end)[1]
    cancel_occurrence(access=leader_access, activity=monthly_chat, original_start=second.original_start)
    (event,) = events(parse(client.get(f"/c/{community.slug}/calendar.ics")))
    assert int(event.sequence.value) == 1
    dates = [m.astimezone(UTC) for m in event.getrruleset()]
    assert second.start not in dates
    assert len(dates) == 11


def test_moved_date_is_a_recurrence_id_override(client, community, monthly_chat, leader_access):
    third = monthly_chat.occurrences_between(monthly_chat.span_start, monthly_chat.span_end)[2]
    new_start = chicago(2026, 3, 12, 15)
    move_occurrence(
        access=leader_access, activity=monthly_chat, original_start=third.original_start, new_start=new_start
    )
    master, override = events(parse(client.get(f"/c/{community.slug}/calendar.ics")))
    assert override.uid.value == master.uid.value
    assert override.recurrence_id.value == third.original_start.astimezone(CHICAGO)
    assert override.dtstart.value == new_start
    assert override.dtend.value == new_start + timedelta(hours=1)
    # What a calendar shows: the series minus overridden dates, plus the overrides.
    shown = sorted([m for m in master.getrruleset() if m != override.recurrence_id.value] + [override.dtstart.value])
    site = [o.start for o in monthly_chat.occurrences_between(monthly_chat.span_start, monthly_chat.span_end)]
    assert [m.astimezone(UTC) for m in shown] == site


def test_all_day_activity_uses_dates(client, community):
    ActivityFactory(
        community=community,
        all_day=True,
        time_zone="America/Chicago",
        start=chicago(2026, 4, 1),
        end=chicago(2026, 4, 3),
    )
    (event,) = events(parse(client.get(f"/c/{community.slug}/calendar.ics")))
    assert event.dtstart.value.isoformat() == "2026-04-01"
    assert event.dtend.value.isoformat() == "2026-04-03"


def test_add_to_calendar_file_for_one_activity(client, community, member, monthly_chat):
    client.force_login(member)
    response = client.get(f"/c/{community.slug}/calendar/{monthly_chat.pk}.ics")
    assert "attachment" in response["Content-Disposition"]
    (event,) = events(parse(response))
    assert event.summary.value == "Monthly chat"
    assert "FREQ=MONTHLY" in event.rrule.value


@pytest.fixture
def private_setup(db):
    community = CommunityFactory(visibility="members", join_policy="request", name="Quiet room")
    member = MembershipFactory(community=community).user
    ActivityFactory(community=community, title=f"Budget {SECRET_MARKER}")
    return community, member


def test_members_only_feed_opens_with_the_members_link(client, private_setup):
    community, member = private_setup
    token = community_feed_token(user=member, community=community)
    calendar = parse(client.get(f"/c/{community.slug}/calendar.ics?token={token}"))
    assert SECRET_MARKER in events(calendar)[0].summary.value


@pytest.mark.parametrize("visibility", ["members", "hidden"])
def test_a_members_link_works_whatever_the_visibility_and_the_month_page_shows_it(client, visibility):
    community = CommunityFactory(visibility=visibility, join_policy="invitation", name="Circle")
    member = MembershipFactory(community=community).user
    ActivityFactory(community=community, title=f"Plan {SECRET_MARKER}")
    client.force_login(member)
    month = client.get(f"/c/{community.slug}/calendar/").content.decode()
    link = re.search(r"(/c/[^\"\s<]+/calendar\.ics\?token=[^\"\s<&]+)", month).group(1)
    client.logout()  # calendar apps send no cookies
    calendar = parse(client.get(link))
    assert SECRET_MARKER in events(calendar)[0].summary.value


def test_a_community_link_opens_only_that_community_never_the_personal_feed(client, private_setup):
    community, member = private_setup
    other = CommunityFactory(visibility="hidden", join_policy="invitation")
    MembershipFactory(community=other, user=member)
    ActivityFactory(community=other, title="Hidden plans")
    token = community_feed_token(user=member, community=community)
    assert client.get(f"/c/{other.slug}/calendar.ics?token={token}").status_code == 404
    assert client.get(f"/calendar/{token}.ics").status_code == 404
    personal = member.calendar_feed.token
    assert personal not in token
    assert client.get(f"/c/{community.slug}/calendar.ics?token={personal}").status_code == 404


def test_a_former_member_or_deactivated_accounts_link_stops_working(client, private_setup):
    community, member = private_setup
    token = community_feed_token(user=member, community=community)
    url = f"/c/{community.slug}/calendar.ics?token={token}"
    assert client.get(url).status_code == 200
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert client.get(url).status_code == 404
    assert client.get(f"/calendar/{member.calendar_feed.token}.ics").status_code == 404
    member.is_active = True
    member.save(update_fields=["is_active"])
    community.memberships.filter(user=member).delete()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("token", ["9" * 40 + "." + "a" * 32, "1." + "a" * 32, "x" * 30])
def test_a_broken_token_is_a_bare_404(client, private_setup, token):
    community, _member = private_setup
    assert client.get(f"/c/{community.slug}/calendar.ics?token={token}").status_code == 404
    assert client.get(f"/calendar/{token}.ics").status_code == 404


@pytest.mark.parametrize("token", ["%00", "1.%00"])
def test_a_token_with_a_nul_is_a_clear_400(client, private_setup, token):
    community, _member = private_setup
    assert client.get(f"/c/{community.slug}/calendar.ics?token={token}").status_code == 400
    assert client.get(f"/calendar/{token}.ics").status_code == 400


@pytest.mark.parametrize("token", ["", "wrong", "x" * 500])
def test_members_only_feed_without_a_valid_token_is_a_bare_404(client, private_setup, token):
    community, _member = private_setup
    response = client.get(f"/c/{community.slug}/calendar.ics?token={token}")
    assert response.status_code == 404
    assert SECRET_MARKER.encode() not in response.content
    assert b"No calendar here" not in response.content  # the plain 404 page, no reason given


def test_a_non_members_token_does_not_open_a_members_only_feed(client, private_setup):
    community, _member = private_setup
    outsider = MembershipFactory().user
    token = community_feed_token(user=outsider, community=community)
    assert client.get(f"/c/{community.slug}/calendar.ics?token={token}").status_code == 404


def test_reset_token_stops_the_old_link(client, private_setup):
    community, member = private_setup
    old = reset_feed_token(user=member).token
    old_link = community_feed_token(user=member, community=community)
    client.force_login(member)
    assert client.post("/calendar/feed-token/reset/").status_code == 302
    assert client.get(f"/c/{community.slug}/calendar.ics?token={old_link}").status_code == 404
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    new = member.calendar_feed.__class__.objects.get(user=member).token
    assert client.get(f"/calendar/{new}.ics").status_code == 200


def test_personal_feed_has_all_my_communities_and_nothing_else(client, private_setup, community):
    _private, member = private_setup
    MembershipFactory(user=member, community=community)
    ActivityFactory(community=community, title="Public chat")
    ActivityFactory(community=CommunityFactory(), title="Someone else's")
    token = reset_feed_token(user=member).token
    titles = sorted(e.summary.value for e in events(parse(client.get(f"/calendar/{token}.ics"))))
    assert titles == [f"Budget {SECRET_MARKER}", "Public chat"]


def test_feed_queries_do_not_grow_with_activities(client, community, assert_num_queries_exact):
    for i in range(50):
        ActivityFactory(community=community, start=datetime(2026, 5, 1, tzinfo=UTC) + timedelta(days=i))
    with assert_num_queries_exact(3):
        client.get(f"/c/{community.slug}/calendar.ics")
    assert Activity.objects.count() == 50


def test_every_new_account_gets_a_feed_token_and_pages_never_write_one(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from calendar_app.models import FeedToken
    from tests.factories import UserFactory

    user = UserFactory()
    assert FeedToken.objects.filter(user=user).exists()
    community = CommunityFactory(visibility="members")
    MembershipFactory(community=community, user=user)
    client.force_login(user)
    FeedToken.objects.filter(user=user).delete()  # an account from before tokens came with signup
    with CaptureQueriesContext(connection) as captured:
        month = client.get(f"/c/{community.slug}/calendar/")
        mine = client.get("/calendar/")
    assert month.status_code == 200
    assert mine.status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert "Create my calendar link" in mine.content.decode()
    assert client.post("/calendar/feed-token/reset/").status_code in (302, 303)
    assert FeedToken.objects.filter(user=user).exists()
