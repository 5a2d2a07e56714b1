"""The community home's parts every reader sees alike, kept under the community's version tokens (issue 19).

Recent discussions, the focus areas with their leaders, the moderators and the featured resources are read
once and kept (core.pagecache.kept, KEPT_SECONDS) while no request changed the community; which areas the
reader follows, who may see the community and the time zone they read in stay the reader's own.
"""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from communities.models import Community
from core import pagecache
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _kept_on(settings):
    settings.KEPT_SECONDS = 30


def _home(client, community, person):
    client.force_login(person)
    return client.get(community.get_absolute_url()).content.decode()


def test_a_kept_home_costs_seven_queries_fewer(client, community, member, assert_num_queries_exact, settings):
    area = FocusAreaFactory(community=community)
    area.leaders.add(member)
    MembershipFactory(community=community, is_moderator=True)
    thread = ThreadFactory(community=community, author=member)
    PostFactory(thread=thread, author=member)
    ResourceFactory(community=community, status="featured", featured_at=timezone.now())
    client.force_login(member)
    settings.KEPT_SECONDS = 0
    client.get(community.get_absolute_url())
    with assert_num_queries_exact(21):  # the member's unanswered questions and their own: two statements
        built = client.get(community.get_absolute_url()).content.decode()
    settings.KEPT_SECONDS = 30
    client.get(community.get_absolute_url())
    # Focus areas, their leaders and the moderators (3) become what the member follows (1); the threads, their
    # repliers and those people (3), the featured resources and the collections (2) none.
    with assert_num_queries_exact(14):
        kept = client.get(community.get_absolute_url()).content.decode()
    assert _without_tokens(kept) == _without_tokens(built)


def _without_tokens(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_each_reader_sees_their_own_follow_buttons(client, community):
    area = FocusAreaFactory(community=community, name="Early numeracy")
    follower, other = UserFactory(), UserFactory()
    for person in (follower, other):
        MembershipFactory(community=community, user=person)
    area.followers.add(follower)
    assert "Unfollow<span" in _home(client, community, follower)
    page = _home(client, community, other)  # from what the follower's page kept
    assert "Unfollow<span" not in page
    assert f'action="/c/{community.slug}/focus-areas/{area.slug}/follow/"' in page
    assert "Unfollow<span" in _home(client, community, follower)


def test_a_new_thread_shows_at_once(client, community, member):
    assert "Loops with 2nd graders?" not in _home(client, community, member)
    client.post(
        f"/c/{community.slug}/t/new/", {"title": "Loops with 2nd graders?", "kind": "question", "body": "Any ideas?"}
    )
    assert "Loops with 2nd graders?" in _home(client, community, member)


def test_a_change_from_elsewhere_shows_once_the_community_is_bumped(client, community, member):
    FocusAreaFactory(community=community, name="Fractions")
    assert "Fractions" in _home(client, community, member)
    FocusAreaFactory(community=community, name="Geometry")  # as a task or the shell would: no request
    assert "Geometry" not in _home(client, community, member)  # kept, for at most KEPT_SECONDS
    pagecache.bump_community(community.slug)
    assert "Geometry" in _home(client, community, member)


def test_a_rename_shows_once_its_request_is_answered(client, community, member):
    area = FocusAreaFactory(community=community)
    leader = MembershipFactory(community=community).user
    area.leaders.add(leader)
    assert leader.name in _home(client, community, member)
    leader.display_name = "Ms. Renamed"
    leader.save()
    assert "Ms. Renamed" not in _home(client, community, member)
    # The settings form's POST (whatever it answers) bumps every page's "all" token.
    client.force_login(leader)
    client.post("/settings/", {})
    assert "Ms. Renamed" in _home(client, community, member)


def test_what_members_see_never_reaches_others(client):
    closed = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    member = MembershipFactory(community=closed).user
    ThreadFactory(community=closed, title="Our private planning")
    ResourceFactory(community=closed, title="Our private rubric", status="featured", featured_at=timezone.now())
    page = _home(client, closed, member)
    assert "Our private planning" in page
    assert "Our private rubric" in page
    outsider = _home(client, closed, UserFactory())
    assert "Our private planning" not in outsider
    assert "Our private rubric" not in outsider
    client.logout()
    visitor = client.get(closed.get_absolute_url()).content.decode()
    assert "Our private planning" not in visitor


def test_kept_threads_show_in_each_readers_time_zone(client, community):
    # 03:00 UTC on Tuesday the 10th is still Monday the 9th in Chicago.
    ThreadFactory(community=community, created_at=datetime(2026, 3, 10, 3, tzinfo=UTC))
    tokyo = MembershipFactory(community=community, user=UserFactory(time_zone="Asia/Tokyo")).user
    chicago = MembershipFactory(community=community, user=UserFactory(time_zone="America/Chicago")).user
    assert "Tue, Mar 10, 2026" in _home(client, community, tokyo)
    assert "Mon, Mar 9, 2026" in _home(client, community, chicago)


def test_one_communitys_kept_parts_never_show_on_another(client):
    closed = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    open_one = CommunityFactory()
    member = MembershipFactory(community=closed).user
    MembershipFactory(community=open_one, user=member)
    ThreadFactory(community=closed, title="Our private planning")
    FocusAreaFactory(community=closed, name="Private area")
    ResourceFactory(community=closed, title="Our private rubric", status="featured", featured_at=timezone.now())
    assert "Our private planning" in _home(client, closed, member)
    page = _home(client, open_one, member)
    for text in ("Our private planning", "Private area", "Our private rubric"):
        assert text not in page
