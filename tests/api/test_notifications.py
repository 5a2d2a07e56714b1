"""Your notifications and "what needs me" through the API: read them, mark them read, and nothing from a
community you may no longer see; someone else's notification is a 404 that says nothing about it."""

import datetime as dt

import pytest
from django.utils import timezone

from api.models import AccessToken
from communities.models import Community, Membership
from notifications import kinds
from notifications.models import Notification
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/me/notifications/"
READ_ALL = "/api/v1/me/notifications/read-all/"


def read_path(notification):
    return f"/api/v1/me/notifications/{notification.pk}/read/"


def notify(recipient, community=None, n=1, subject="Loops with dance moves", actor=None, read=False):
    now = timezone.now()
    rows = [
        Notification(
            recipient=recipient,
            kind=kinds.MENTION,
            community=community,
            actor=actor,
            url="/c/x/t/1/",
            subject=f"{subject} {i}" if n > 1 else subject,
            event_key=f"api-test:{recipient.pk}:{community.pk if community else 0}:{subject}:{i}",
            created_at=now - dt.timedelta(minutes=i),
            read_at=now if read else None,
        )
        for i in range(n)
    ]
    return Notification.objects.bulk_create(rows)


@pytest.fixture
def private():
    return CommunityFactory(name="Members math", visibility=Community.Visibility.MEMBERS)


def test_member_reads_their_notifications_newest_first(as_user, community, member):
    actor = MembershipFactory(community=community, user__display_name="Bea").user
    older, newer = notify(member, community, n=2, actor=actor)[::-1]
    notify(UserFactory(), community, subject="Someone else's")
    response = as_user(member).get(LIST)
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [newer.pk, older.pk]
    assert rows[0]["sentence"] == "Bea mentioned you in “Loops with dance moves 0”"
    assert rows[0]["community"] == community.slug
    assert rows[0]["actor"]["name"] == "Bea"
    assert rows[0]["unread"] is True
    assert rows[0]["read_at"] is None
    assert "Someone else's" not in response.content.decode()


def test_the_unread_filter(as_user, member, community):
    (unread,) = notify(member, community, subject="New")
    (read,) = notify(member, community, subject="Old", read=True)
    client = as_user(member)
    assert [r["id"] for r in client.get(LIST + "?unread=true").json()["results"]] == [unread.pk]
    assert [r["id"] for r in client.get(LIST + "?unread=false").json()["results"]] == [read.pk]
    assert {r["id"] for r in client.get(LIST).json()["results"]} == {unread.pk, read.pk}


@pytest.mark.parametrize("value", ["maybe", "2", "yes please", "x" * 300])
def test_an_unread_filter_that_is_not_true_or_false_is_a_clear_400(as_user, member, value):
    response = as_user(member).get(LIST, {"unread": value})
    assert response.status_code == 400
    assert response.json()["errors"] == {"unread": ["Give true or false."]}


def test_notifications_are_cursor_paginated_and_a_tampered_cursor_is_a_404(as_user, member, community):
    notify(member, community, n=7)
    client = as_user(member)
    first = client.get(LIST + "?page_size=3").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert len(ids) == len(set(ids)) == 7
    assert third["next"] is None
    tampered = client.get(LIST + "?cursor=cD0yMDI2LTAyLTMwK25vdA%3D%3D")
    assert tampered.status_code == 404
    assert tampered.json()["detail"] == "Invalid cursor"


def test_notifications_of_a_community_you_left_never_appear(as_user, member, private):
    membership = MembershipFactory(user=member, community=private)
    (gone,) = notify(member, private, subject="Members-only rubric")
    client = as_user(member)
    assert [r["id"] for r in client.get(LIST).json()["results"]] == [gone.pk]
    Membership.objects.filter(pk=membership.pk).delete()
    response = client.get(LIST)
    assert response.json()["results"] == []
    assert b"Members-only rubric" not in response.content
    refused = client.post(read_path(gone))
    assert refused.status_code == 404
    assert b"Members-only rubric" not in refused.content
    assert Notification.objects.get(pk=gone.pk).read_at is None


def test_mark_one_read_returns_it_and_the_new_unread_count(as_user, member, community):
    first, _second = notify(member, community, n=2)
    response = as_user(member).post(read_path(first))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == first.pk
    assert body["unread"] is False
    assert body["unread_count"] == 1
    first.refresh_from_db()
    assert first.read_at is not None
    again = as_user(member).post(read_path(first))  # idempotent: the same answer, the time kept
    assert again.status_code == 200
    assert again.json()["read_at"] == body["read_at"]


def test_someone_elses_notification_is_a_404_and_stays_unread(as_user, member, community):
    (theirs,) = notify(UserFactory(), community, subject="Their private mention")
    response = as_user(member).post(read_path(theirs))
    assert response.status_code == 404
    assert response.json() == {"detail": "No such notification."}
    assert b"Their private mention" not in response.content
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize("notification_id", ["0", "999999999", "99999999999999999999999"])
def test_an_unknown_notification_is_a_404(as_user, member, notification_id):
    response = as_user(member).post(f"/api/v1/me/notifications/{notification_id}/read/")
    assert response.status_code == 404


def test_a_notification_id_that_is_not_a_number_is_a_404(as_user, member):
    assert as_user(member).post("/api/v1/me/notifications/abc/read/").status_code == 404


def test_mark_all_read_marks_only_yours(as_user, member, community):
    notify(member, community, n=3)
    (theirs,) = notify(UserFactory(), community, subject="Theirs")
    response = as_user(member).post(READ_ALL)
    assert response.status_code == 200
    assert response.json() == {"unread_count": 0}
    assert not Notification.objects.filter(recipient=member, read_at=None).exists()
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize(
    ("body", "says"),
    [("{not json", "JSON parse error"), ('{"read": true}', "not part of this request"), ("[1, 2]", "Invalid data")],
)
def test_a_malformed_or_unexpected_body_is_a_400_and_changes_nothing(as_user, member, community, body, says):
    (row,) = notify(member, community)
    client = as_user(member)
    for path in (read_path(row), READ_ALL):
        response = client.generic("POST", path, body, content_type="application/json")
        assert response.status_code == 400, response.content
        assert says in response.content.decode()
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_anonymous_gets_401_and_a_read_only_token_may_read_but_not_mark(api, as_user, member, community):
    (row,) = notify(member, community)
    for response in (api.get(LIST), api.post(read_path(row)), api.post(READ_ALL), api.get("/api/v1/me/needs/")):
        assert response.status_code == 401
        assert b"Loops" not in response.content
    reader = as_user(member, AccessToken.Scope.READ)
    assert reader.get(LIST).status_code == 200
    assert reader.post(read_path(row)).status_code == 403
    assert reader.post(READ_ALL).status_code == 403
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_the_list_makes_the_same_queries_for_3_and_60_rows(as_user, member, community, assert_num_queries_exact):
    actor = MembershipFactory(community=community).user
    client = as_user(member)
    notify(member, community, n=3, actor=actor)
    # token, its last-used time (first request only), the page of rows with actor and community
    with assert_num_queries_exact(3):
        assert len(client.get(LIST + "?page_size=100").json()["results"]) == 3
    notify(member, community, n=57, actor=actor, subject="More")
    with assert_num_queries_exact(2):
        assert len(client.get(LIST + "?page_size=100").json()["results"]) == 60


def test_what_needs_me_lists_your_open_polls_and_forgets_a_community_you_left(as_user, member, private):
    membership = MembershipFactory(user=member, community=private)
    PollFactory(community=private, question="Members-only pulse")
    client = as_user(member)
    body = client.get("/api/v1/me/needs/").json()
    assert [p["title"] for p in body["polls"]] == ["Members-only pulse"]
    assert body["polls"][0]["community"] == private.slug
    assert body["count"] == 1
    assert body["mentoring"] == []
    Membership.objects.filter(pk=membership.pk).delete()
    response = client.get("/api/v1/me/needs/")
    assert response.status_code == 200
    assert response.json()["polls"] == []
    assert b"Members-only pulse" not in response.content
