from datetime import UTC, datetime, timedelta

import pytest

from calendar_app.models import RSVP, occurrence_key
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, RSVPFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def url(activity, suffix=""):
    return f"/c/{activity.community.slug}/calendar/{activity.pk}/{suffix}"


def test_member_rsvps_and_everyone_sees_the_counts(client, community, member):
    activity = ActivityFactory(community=community)
    client.force_login(member)
    response = client.post(url(activity, "rsvp/"), {"response": "going"})
    assert response.status_code == 302
    assert RSVP.objects.get().response == "going"
    client.logout()
    page = client.get(url(activity)).content.decode()
    assert "<strong>1</strong> going" in page


def test_changing_an_answer_keeps_one_rsvp(client, community, member):
    activity = ActivityFactory(community=community)
    client.force_login(member)
    client.post(url(activity, "rsvp/"), {"response": "going"})
    client.post(url(activity, "rsvp/"), {"response": "maybe"})
    assert list(RSVP.objects.values_list("response", flat=True)) == ["maybe"]


def test_htmx_rsvp_returns_the_updated_box(client, community, member):
    activity = ActivityFactory(community=community)
    client.force_login(member)
    response = client.post(url(activity, "rsvp/"), {"response": "maybe"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="rsvp-box"' in body
    assert "<html" not in body
    assert "<strong>1</strong> maybe" in body


def test_rsvp_to_one_date_of_a_series(client, community, member):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=4")
    second = start + timedelta(days=7)
    client.force_login(member)
    client.post(url(activity, "rsvp/"), {"response": "going", "occurrence": occurrence_key(second)})
    assert RSVP.objects.get().occurrence_start == second


def test_rsvp_to_a_cancelled_date_is_refused(client, community, member):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=4")
    OccurrenceChangeFactory(activity=activity, original_start=start, cancelled=True)
    client.force_login(member)
    response = client.post(url(activity, "rsvp/"), {"response": "going", "occurrence": occurrence_key(start)})
    assert response.status_code == 400
    assert "cancelled" in response.content.decode()
    assert not RSVP.objects.exists()


def test_rsvp_to_a_date_not_in_the_series_is_refused(client, community, member):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=4")
    client.force_login(member)
    response = client.post(url(activity, "rsvp/"), {"response": "going", "occurrence": "garbage"})
    assert response.status_code == 400
    assert not RSVP.objects.exists()


def test_rsvp_to_another_communitys_activity_is_404(client, community, member, other_community):
    theirs = ActivityFactory(community=other_community)
    client.force_login(member)
    response = client.post(f"/c/{community.slug}/calendar/{theirs.pk}/rsvp/", {"response": "going"})
    assert response.status_code == 404
    assert not RSVP.objects.exists()


def test_rsvp_with_a_made_up_answer_is_refused(client, community, member):
    activity = ActivityFactory(community=community)
    client.force_login(member)
    assert client.post(url(activity, "rsvp/"), {"response": "yes please"}).status_code == 400
    assert not RSVP.objects.exists()


def test_rsvp_to_a_past_activity_is_refused(client, community, member):
    activity = ActivityFactory(community=community, start=datetime(2025, 1, 1, tzinfo=UTC))
    client.force_login(member)
    assert client.post(url(activity, "rsvp/"), {"response": "going"}).status_code == 400


def test_the_list_of_names_is_for_the_organizer_and_moderators(client, community, member, moderator):
    organizer = MembershipFactory(community=community).user
    activity = ActivityFactory(community=community, organizer=organizer)
    RSVPFactory(activity=activity, user=member)
    for viewer, sees in ((organizer, True), (moderator, True), (MembershipFactory(community=community).user, False)):
        client.force_login(viewer)
        page = client.get(url(activity)).content.decode()
        assert ("Who answered" in page) is sees
        assert (member.name in page) is sees


def test_activity_page_queries_do_not_grow_with_rsvps(client, community, moderator, assert_num_queries_exact):
    activity = ActivityFactory(community=community, organizer=moderator)
    client.force_login(moderator)
    RSVPFactory(activity=activity)
    # 16: the page's 15 and, for this moderator, the one query behind the tabs' moderation counts.
    with assert_num_queries_exact(16):
        client.get(url(activity))
    for _ in range(60):
        RSVPFactory(activity=activity)
    # 16: the page's 15 and, for this moderator, the one query behind the tabs' moderation counts.
    with assert_num_queries_exact(16):
        client.get(url(activity))


def test_htmx_rsvp_to_a_cancelled_date_returns_the_box_with_the_reason(client, community, member):
    start = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    activity = ActivityFactory(community=community, start=start, recurrence="FREQ=WEEKLY;COUNT=4")
    OccurrenceChangeFactory(activity=activity, original_start=start, cancelled=True)
    client.force_login(member)
    response = client.post(
        url(activity, "rsvp/"),
        {"response": "going", "occurrence": occurrence_key(start)},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="rsvp-box"' in body
    assert "That date is cancelled. Nothing was saved." in body
    assert not RSVP.objects.exists()
