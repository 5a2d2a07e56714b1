"""The community home as the community's front page (issue 20, item 4): "What needs you", for members only."""

import re

import pytest

from communities.models import Community, JoinRequest, Membership
from discussions.models import Flag, Thread
from tests.chats.factories import upcoming_chat
from tests.digests.needs import busy_member
from tests.discussions.factories import ThreadFactory
from tests.drawn import templates_drawn
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import page_text
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

PANEL = re.compile(r'<section aria-labelledby="needs-you".*?</section>\s*</div>', re.DOTALL)


def needs_you(response):
    """The text of the page's "What needs you" panel, or None when the page has none."""
    found = PANEL.search(response.content.decode())
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(0)).split()) if found else None


def test_a_member_sees_what_needs_them_overdue_duty_first_with_the_next_chat(client, community):
    busy = busy_member(community)
    client.force_login(busy.member)
    response = client.get(community.get_absolute_url())
    text = needs_you(response)
    assert text.startswith("What needs you")
    expected = [busy.titles[kind][0] for kind in ("overdue", "duty", "question", "rsvp", "poll")]
    expected += ["Mo Mentee 0 asks you to be their mentor", "Check in with", "My own question 0"]
    position = 0
    for title in expected:  # each after the one before
        position = text.index(title, position) + len(title)
    assert "Overdue" in text
    assert "Dates and times in your time zone, UTC." in text
    # The next chat, with its room's topic, when it starts in the viewer's zone (named).
    assert "Next chat Feedback that moves learning 0" in text
    assert re.search(r"Next chat .*\d{1,2}:\d\d [AP]M UTC", text)
    # Open polls are listed once: the polls panel of the home is folded into "What needs you".
    assert page_text(response).count(busy.titles["poll"][0]) == 1
    html = response.content.decode()
    assert 'class="needs-item is-overdue"' in html
    assert f'aria-label="See what to do: {busy.titles["overdue"][0]}"' in html


def test_the_times_are_in_the_members_zone_with_the_zone_named(client, community):
    busy = busy_member(community)
    busy.member.time_zone = "America/Chicago"
    busy.member.save()
    client.force_login(busy.member)
    text = needs_you(client.get(community.get_absolute_url()))
    assert "Dates and times in your time zone, America/Chicago." in text
    assert re.search(r"Next chat .* C[SD]T", text)


def test_a_member_with_nothing_waiting_is_told_so_and_what_to_do_next(client, community, member):
    client.force_login(member)
    text = needs_you(client.get(community.get_absolute_url()))
    assert "Nothing is waiting for you here." in text
    assert "Browse the discussions" in text
    assert "Next chat" not in text


def test_a_moderator_sees_the_queues_first(client, community, moderator):
    busy_member(community, member=moderator)
    Flag.objects.create(community=community, thread=ThreadFactory(community=community), reporter=moderator)
    ResourceFactory(community=community, status="submitted")
    JoinRequest.objects.create(community=community, user=UserFactory())
    client.force_login(moderator)
    text = needs_you(client.get(community.get_absolute_url()))
    assert text.index("Waiting for the moderators") < text.index("1 open flag") < text.index("For you")
    assert "1 resource in the review queue" in text
    assert "1 request to join" in text
    assert text.index("For you") < text.index("Overdue")


def test_a_non_member_of_a_public_community_and_a_visitor_see_no_panel(client, community, user):
    busy = busy_member(community)
    upcoming_chat(community=community)
    for viewer in (user, None):
        if viewer is not None:
            client.force_login(viewer)
        else:
            client.logout()
        response = client.get(community.get_absolute_url())
        assert response.status_code == 200
        html = response.content.decode()
        assert needs_you(response) is None
        assert "What needs you" not in html
        assert busy.titles["overdue"][0] not in html
        assert busy.titles["poll"][0] not in html
        assert "Next chat" not in html


def test_someone_who_left_sees_no_panel(client, community):
    busy = busy_member(community)
    Membership.objects.filter(user=busy.member, community=community).delete()
    client.force_login(busy.member)
    response = client.get(community.get_absolute_url())
    assert needs_you(response) is None
    assert busy.titles["overdue"][0] not in response.content.decode()


@pytest.mark.parametrize("visibility", [Community.Visibility.MEMBERS, Community.Visibility.HIDDEN])
def test_private_communities_leak_nothing_to_outsiders(client, user, visibility):
    community = CommunityFactory(visibility=visibility)
    busy = busy_member(community)
    upcoming_chat(community=community)
    client.force_login(user)
    response = client.get(f"/c/{community.slug}/")
    html = response.content.decode()
    assert response.status_code == (404 if visibility == Community.Visibility.HIDDEN else 200)
    for secret in ("What needs you", "Next chat", busy.titles["overdue"][0], busy.titles["question"][0]):
        assert secret not in html
    # Their own members do see it.
    client.force_login(busy.member)
    assert needs_you(client.get(f"/c/{community.slug}/")).startswith("What needs you")


def test_another_communitys_calls_are_not_on_this_home(client, community):
    busy = busy_member(community, tag="HERE ")
    busy_member(CommunityFactory(), tag="ELSEWHERE ", member=busy.member)
    client.force_login(busy.member)
    text = needs_you(client.get(community.get_absolute_url()))
    assert "HERE" in text
    assert "ELSEWHERE" not in text


def test_the_home_costs_the_same_queries_with_one_or_many_of_everything(client, assert_num_queries_exact):
    """A member with one of every kind of call to action, then with fifteen (duties, questions, RSVPs,
    polls, mentees' asks, own questions, chats): the same count. 19 before "What needs you" with this data
    (18 once the followed focus areas came with the focus areas). 25: the unanswered questions and the member's
    own are two statements, not a UNION that took PostgreSQL longer to plan (issue 19)."""
    small, big = CommunityFactory(), CommunityFactory()
    few = busy_member(small, n=1).member
    many = busy_member(big, n=15).member
    for person, community in ((few, small), (many, big)):
        MembershipFactory(community=community, is_moderator=True)
        client.force_login(person)
        client.get(community.get_absolute_url())
        with assert_num_queries_exact(23):
            response = client.get(community.get_absolute_url())
        assert needs_you(response).startswith("What needs you")
    assert "more waiting for you" in needs_you(response)


def test_a_moderators_home_costs_the_same_queries_with_one_or_many_waiting(client, assert_num_queries_exact):
    """The queues come from the counts the community's tabs already made: no query of their own. Two more than
    a member's page: those counts and the digest note panel, as before "What needs you"
    (26: the followed focus areas come with the focus areas, issue 19; 27: questions and nudges two statements)."""
    for n, community in ((1, CommunityFactory()), (15, CommunityFactory())):
        busy = busy_member(community, n=n)
        Membership.objects.filter(user=busy.member, community=community).update(is_moderator=True)
        # Flags on the threads the member already has (new threads would change what Recent discussions shows).
        for thread in Thread.objects.filter(community=community).order_by("pk")[:n]:
            Flag.objects.create(community=community, thread=thread, reporter=busy.member)
        for _ in range(n):
            ResourceFactory(community=community, status="submitted")
            JoinRequest.objects.create(community=community, user=UserFactory())
        client.force_login(busy.member)
        client.get(community.get_absolute_url())
        with assert_num_queries_exact(25):
            response = client.get(community.get_absolute_url())
        assert f"{n} open flag" in needs_you(response)


def test_the_rows_drawn_once_follow_every_change_of_what_they_show(client, community, monkeypatch):
    """The rows of What needs you are kept in the cache under all they show (core.fragments, issue 19): the
    second view draws none, and a renamed asker, a changed title or another time zone draws the row again."""
    from core import fragments

    busy = busy_member(community)
    client.force_login(busy.member)
    first = needs_you(client.get(community.get_absolute_url()))
    drawn = templates_drawn(monkeypatch, fragments)
    assert needs_you(client.get(community.get_absolute_url())) == first
    assert "digests/includes/needs_row.html" not in drawn
    asker = Thread.objects.get(title=busy.titles["question"][0]).author
    asker.display_name = "Asha Renamed"
    asker.save()
    assert "Asha Renamed" in needs_you(client.get(community.get_absolute_url()))
    Thread.objects.filter(title=busy.titles["question"][0]).update(title="Who has a better loop game?")
    text = needs_you(client.get(community.get_absolute_url()))
    assert "Who has a better loop game?" in text
    assert busy.titles["question"][0] not in text
    busy.member.time_zone = "Asia/Kathmandu"
    busy.member.save()
    assert re.search(r"\+0545|Kathmandu|\b\d{1,2}:\d5 [AP]M\b", needs_you(client.get(community.get_absolute_url())))
