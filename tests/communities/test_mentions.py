"""@mention help: usernames on the members page, and completion fed only to the community's members."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _url(community, q):
    return reverse("communities:mention_candidates", kwargs={"slug": community.slug}) + f"?q={q}"


@pytest.fixture
def ada(community):
    return MembershipFactory(community=community, user=UserFactory(username="ada", display_name="Ada Lovelace")).user


def test_members_find_members_by_display_name_or_username(client, community, member, ada):
    MembershipFactory(community=community, user=UserFactory(username="grace", display_name="Grace Hopper"))
    MembershipFactory(community=community, user=UserFactory(username="kim", display_name="Kim Adams"))
    UserFactory(username="adam", display_name="Adam Outsider")  # no member of this community
    client.force_login(member)
    people = client.get(_url(community, "ad")).json()["people"]
    assert people == [
        {"username": "ada", "name": "Ada Lovelace"},
        {"username": "kim", "name": "Kim Adams"},
    ]
    assert client.get(_url(community, "grac")).json()["people"] == [{"username": "grace", "name": "Grace Hopper"}]
    assert client.get(_url(community, "")).json()["people"] == []


def test_the_list_is_never_cached_and_never_for_outsiders(client, community, member, ada):
    client.force_login(member)
    response = client.get(_url(community, "ad"))
    assert response["Cache-Control"] == "private, no-store"
    client.force_login(UserFactory())
    assert client.get(_url(community, "ad")).status_code == 403
    client.logout()
    assert client.get(_url(community, "ad")).status_code == 302


def test_a_hidden_community_does_not_even_exist_for_outsiders(client):
    hidden = CommunityFactory(visibility="hidden")
    MembershipFactory(community=hidden, user=UserFactory(username="secret", display_name="Secret Person"))
    client.force_login(UserFactory())
    response = client.get(_url(hidden, "sec"))
    assert response.status_code == 404
    assert b"Secret" not in response.content


def test_members_of_another_community_are_not_offered(client, community, member):
    MembershipFactory(community=CommunityFactory(), user=UserFactory(username="adele", display_name="Adele"))
    client.force_login(member)
    assert client.get(_url(community, "ade")).json()["people"] == []


def test_a_long_query_is_cut_and_the_list_costs_one_query_however_many_members(client, community, member):
    for n in range(60):
        MembershipFactory(community=community, user=UserFactory(display_name=f"Ada Number {n}"))
    client.force_login(member)
    client.get(_url(community, "x"))
    with CaptureQueriesContext(connection) as captured:
        people = client.get(_url(community, "ada")).json()["people"]
    assert len(people) == 8
    statements = "\n".join(q["sql"] for q in captured.captured_queries)
    assert len(captured.captured_queries) == 5, statements  # session, user, community, membership, the list
    assert client.get(_url(community, "a" * 500)).status_code == 200


def test_the_members_page_shows_each_username_to_mention(client, community, member, ada):
    client.force_login(member)
    html = client.get(reverse("communities:members", kwargs={"slug": community.slug})).content.decode()
    assert "@ada" in html
