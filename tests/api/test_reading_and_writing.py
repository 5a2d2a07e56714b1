"""The API answers as the pages do: what you may see, the services' rules, clear 400s."""

import pytest

from communities.models import Community
from discussions.models import Post, Reaction, Thread
from polls.models import Participation, Poll
from resources.models import Resource
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def url(community, rest=""):
    return f"/api/v1/communities/{community.slug}/{rest}"


def test_visitor_lists_public_and_members_only_communities_but_not_hidden(api):
    public = CommunityFactory(name="Open math")
    CommunityFactory(name="Members math", visibility=Community.Visibility.MEMBERS)
    hidden = CommunityFactory(name="Secret math", visibility=Community.Visibility.HIDDEN)
    response = api.get("/api/v1/communities/")
    assert response.status_code == 200
    names = [c["name"] for c in response.json()["results"]]
    assert names == ["Members math", "Open math"] or set(names) == {"Open math", "Members math"}
    assert "Secret math" not in response.content.decode()
    assert api.get(url(hidden)).status_code == 404
    assert api.get(url(public)).json()["slug"] == public.slug


def test_hidden_community_is_a_404_everywhere_to_an_outsider(as_user):
    hidden = CommunityFactory(name="Secret math", visibility=Community.Visibility.HIDDEN)
    ThreadFactory(community=hidden, title="Our secret plan")
    client = as_user(UserFactory())
    for rest in ("", "threads/", "members/", "resources/", "polls/", "activities/", "occurrences/"):
        response = client.get(url(hidden, rest))
        assert response.status_code == 404, rest
        assert b"Secret math" not in response.content
        assert b"secret plan" not in response.content


def test_members_only_content_is_403_to_outsiders_and_open_to_members(as_user, api):
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ThreadFactory(community=community, title="Members only talk")
    assert api.get(url(community, "threads/")).status_code == 403
    outsider = as_user(UserFactory())
    response = outsider.get(url(community, "threads/"))
    assert response.status_code == 403
    assert b"Members only talk" not in response.content
    member = MembershipFactory(community=community).user
    response = as_user(member).get(url(community, "threads/"))
    assert [t["title"] for t in response.json()["results"]] == ["Members only talk"]


def test_member_starts_a_thread_through_the_service(as_user, community, member):
    client = as_user(member)
    response = client.post(
        url(community, "threads/"), {"title": "Exit tickets?", "body": "How do you use them?"}, format="json"
    )
    assert response.status_code == 201, response.content
    thread = Thread.objects.get(pk=response.json()["id"])
    assert thread.author == member
    assert thread.kind == Thread.Kind.QUESTION
    assert thread.subscriptions.filter(user=member).exists()  # the service's rule: the author follows it


def test_the_same_idempotency_key_makes_one_thread(as_user, community, member):
    client = as_user(member)
    data = {"title": "Exit tickets?", "body": "How do you use them?"}
    first = client.post(url(community, "threads/"), data, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    second = client.post(url(community, "threads/"), data, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    assert first.json()["id"] == second.json()["id"]
    assert Thread.objects.filter(community=community).count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x" * 500, "body": "x"}, "title"),
        ({"title": 12, "body": ["not", "text"]}, "body"),
        ({"title": "Hi", "body": "x", "kind": "rant"}, "kind"),
        ({"title": "Hi", "body": "x", "colour": "red"}, "colour"),
        ({"title": "Hi", "body": "x", "focus_area": "not-here"}, "focus_area"),
    ],
)
def test_bad_thread_input_is_a_clear_400(as_user, community, member, body, field):
    response = as_user(member).post(url(community, "threads/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert response.json()["detail"]
    assert not Thread.objects.exists()


def test_malformed_json_is_a_400(as_user, community, member):
    response = as_user(member).post(url(community, "threads/"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    response = as_user(member).post(url(community, "threads/"), "[1, 2]", content_type="application/json")
    assert response.status_code == 400


def test_outsider_and_anonymous_cannot_post(as_user, api, community):
    data = {"title": "Hi", "body": "there"}
    assert api.post(url(community, "threads/"), data, format="json").status_code == 401
    assert as_user(UserFactory()).post(url(community, "threads/"), data, format="json").status_code == 403
    assert not Thread.objects.exists()


def test_reply_and_mark_helpful(as_user, community, member):
    thread = ThreadFactory(community=community)
    other = MembershipFactory(community=community).user
    client = as_user(member)
    response = client.post(url(community, f"threads/{thread.pk}/posts/"), {"body": "Try this."}, format="json")
    assert response.status_code == 201
    post = Post.objects.get(pk=response.json()["id"])
    helper = as_user(other)
    response = helper.put(url(community, f"posts/{post.pk}/helpful/"))
    assert response.json() == {"post": post.pk, "helpful": True, "helpful_count": 1}
    assert helper.put(url(community, f"posts/{post.pk}/helpful/")).json()["helpful_count"] == 1  # idempotent
    assert helper.delete(url(community, f"posts/{post.pk}/helpful/")).json()["helpful"] is False
    assert not Reaction.objects.exists()
    # the service's rule: not on your own reply
    assert client.put(url(community, f"posts/{post.pk}/helpful/")).status_code == 400


def test_reply_to_another_communitys_post_is_refused(as_user, community, member):
    thread = ThreadFactory(community=community)
    elsewhere = PostFactory()
    response = as_user(member).post(
        url(community, f"threads/{thread.pk}/posts/"), {"body": "x", "parent": elsewhere.pk}, format="json"
    )
    assert response.status_code == 400
    assert as_user(member).put(url(community, f"posts/{elsewhere.pk}/helpful/")).status_code == 404


def test_thread_filters_match_the_page(as_user, api, community):
    ThreadFactory(community=community, kind=Thread.Kind.QUESTION, title="A question")
    ThreadFactory(community=community, kind=Thread.Kind.SUCCESS, title="A success")
    ThreadFactory(community=community, title="Hidden one", is_hidden=True)
    titles = [t["title"] for t in api.get(url(community, "threads/?kind=success")).json()["results"]]
    assert titles == ["A success"]
    all_titles = [t["title"] for t in api.get(url(community, "threads/")).json()["results"]]
    assert "Hidden one" not in all_titles
    assert len(all_titles) == 2
    assert api.get(url(community, "threads/?sort=bogus")).status_code == 400


def test_cursor_pages_and_a_tampered_cursor_is_a_404(api, community):
    for _ in range(30):
        ThreadFactory(community=community)
    first = api.get(url(community, "threads/?page_size=20")).json()
    assert len(first["results"]) == 20
    assert first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 10
    assert not {t["id"] for t in first["results"]} & {t["id"] for t in second["results"]}
    for cursor in ("garbage", "cD1ub3RhZGF0ZQ==", "bz0tMQ==", "cD05OTk5OTk5OTk5OTk5OTk5OTk5OTk5"):
        response = api.get(url(community, f"threads/?cursor={cursor}"))
        assert response.status_code == 404, cursor


def test_etag_gives_304_when_nothing_changed(api, community):
    ThreadFactory(community=community)
    response = api.get(url(community, "threads/"))
    etag = response["ETag"]
    assert api.get(url(community, "threads/"), HTTP_IF_NONE_MATCH=etag).status_code == 304
    ThreadFactory(community=community)
    assert api.get(url(community, "threads/"), HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_resources_list_and_submit(as_user, api, community, member):
    ResourceFactory(community=community, title="Approved one")
    ResourceFactory(community=community, title="Waiting one", submitted=True)
    titles = [r["title"] for r in api.get(url(community, "resources/")).json()["results"]]
    assert titles == ["Approved one"]
    response = as_user(member).post(
        url(community, "resources/"),
        {"title": "Loop cards", "kind": "link", "url": "https://example.org/loops"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Resource.objects.get(pk=response.json()["id"]).status == Resource.Status.SUBMITTED
    bad = as_user(member).post(
        url(community, "resources/"), {"title": "x", "kind": "link", "url": "ftp://example.org/x"}, format="json"
    )
    assert bad.status_code == 400


def test_rsvp_and_occurrences(as_user, community, member):
    activity = ActivityFactory(community=community)
    client = as_user(member)
    month = activity.start.strftime("%Y-%m")
    found = client.get(url(community, f"occurrences/?month={month}")).json()
    assert [o["activity"] for o in found] == [activity.pk]
    response = client.post(url(community, f"activities/{activity.pk}/rsvp/"), {"response": "going"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["response"] == "going"
    assert client.get(url(community, "occurrences/?month=13-2026")).status_code == 400


def test_vote_and_results_as_the_page_shows_them(as_user, community, member):
    poll = PollFactory(community=community, results_visibility=Poll.ResultsVisibility.AFTER_VOTE)
    client = as_user(member)
    assert client.get(url(community, f"polls/{poll.pk}/results/")).status_code == 403
    yes = poll.choices.get(label="Yes")
    response = client.post(url(community, f"polls/{poll.pk}/vote/"), {"choices": [yes.pk]}, format="json")
    assert response.status_code == 200, response.content
    results = client.get(url(community, f"polls/{poll.pk}/results/")).json()
    assert results["voters"] == 1
    assert {c["label"]: c["count"] for c in results["choices"]}["Yes"] == 1
    wrong = client.post(url(community, f"polls/{poll.pk}/vote/"), {"choices": ["x"]}, format="json")
    assert wrong.status_code == 400
    assert Participation.objects.filter(poll=poll).count() == 1


def test_what_needs_me(as_user, api, community, member):
    poll = PollFactory(community=community, question="Pulse check")
    response = as_user(member).get("/api/v1/me/needs/")
    assert [p["title"] for p in response.json()["polls"]] == ["Pulse check"]
    add_ballot(poll, member, poll.choices.first())
    assert api.get("/api/v1/me/needs/").status_code in (401, 403)


def test_managers_change_roles_members_cannot(as_user, community, moderator, member):
    membership = community.memberships.get(user=member)
    path = url(community, f"members/{membership.pk}/roles/")
    data = {"is_moderator": False, "is_district_leader": True, "is_mentor": False}
    assert as_user(member).put(path, data, format="json").status_code == 403
    response = as_user(moderator).put(path, data, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["is_district_leader"] is True
