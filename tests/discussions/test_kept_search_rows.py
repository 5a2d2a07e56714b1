"""The rows each kind searches are compiled once per process per scope and filters (core.search.Rows):
searches one after another in one process, each with other filters or another viewer, each find only
their own rows."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

BY_RIVERA = ["Loops poster", "Loops meetup", "Loops or lists?", "Loops thread by Rivera", "reply of Rivera"]
BY_OTHERS = ["Loops cards", "Loops fair", "Loops or not?", "Loops thread of Kim", "reply of Kim"]


def found(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    content = response.content.decode()
    return {title for title in BY_RIVERA + BY_OTHERS if title in content}


def test_each_search_in_one_process_finds_the_rows_of_its_own_filters(client, community):
    rivera = UserFactory(username="rivera")
    others = UserFactory()
    ResourceFactory(community=community, title="Loops poster", submitted_by=rivera)
    ResourceFactory(community=community, title="Loops cards", submitted_by=others)
    ActivityFactory(community=community, title="Loops meetup", organizer=rivera)
    ActivityFactory(community=community, title="Loops fair", organizer=others)
    PollFactory(community=community, question="Loops or lists?", created_by=rivera)
    PollFactory(community=community, question="Loops or not?", created_by=others)
    thread = ThreadFactory(community=community, title="Loops thread by Rivera", author=rivera, body="Ours.")
    PostFactory(thread=thread, body="Loops: the reply of Rivera", author=rivera)
    other = ThreadFactory(community=community, title="Loops thread of Kim", author=others, body="Theirs.")
    PostFactory(thread=other, body="Loops: the reply of Kim", author=others)

    everything = set(BY_RIVERA + BY_OTHERS)
    assert found(client, q="loops", author="rivera") == set(BY_RIVERA)
    assert found(client, q="loops") == everything
    assert found(client, q="loops", author="rivera") == set(BY_RIVERA)
    tomorrow = (timezone.now() + timedelta(days=1)).date().isoformat()
    assert found(client, q="loops", since=tomorrow) == set()
    assert found(client, q="loops", community=community.slug) == everything
    assert found(client, q="loops", community=CommunityFactory().slug) == set()


def test_a_viewer_after_another_finds_only_what_they_may_see(client):
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ResourceFactory(community=secret, title="Loops poster")
    ActivityFactory(community=secret, title="Loops meetup")
    PollFactory(community=secret, question="Loops or lists?")
    PostFactory(
        thread=ThreadFactory(community=secret, title="Loops thread by Rivera"), body="Loops: the reply of Rivera"
    )
    open_community = CommunityFactory()
    ResourceFactory(community=open_community, title="Loops cards")

    client.force_login(MembershipFactory(community=secret).user)
    assert found(client, q="loops") == {*BY_RIVERA, "Loops cards"}
    client.force_login(MembershipFactory(community=open_community).user)
    assert found(client, q="loops") == {"Loops cards"}
    client.logout()
    assert found(client, q="loops") == {"Loops cards"}


def test_kept_rows_hold_their_values_written_in_as_the_driver_writes_them():
    from django.db import connection

    from core import search as core_search

    sql, params = core_search._with_values(("SELECT %s, %s, %s", ["50% off", 3, None]), "default")
    assert params == ()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM ({sql}) AS kept WHERE %s", [True])  # noqa: S608 - a template, as in a search
        assert cursor.fetchone() == ("50% off", 3, None)
