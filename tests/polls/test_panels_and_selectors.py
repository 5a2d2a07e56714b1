from datetime import timedelta

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from communities.permissions import access_for
from digests.panels import what_needs_you_panel
from discussions.models import Thread
from polls.models import Poll
from polls.panels import thread_panel
from polls.selectors import open_polls_unanswered_by, poll_for_page
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory
from tests.polls.factories import PollFactory, add_ballot, page_text

pytestmark = pytest.mark.django_db


def test_unanswered_open_polls_leave_out_answered_scheduled_closed_and_other_communities(member, community):
    waiting = PollFactory(community=community, question="Waiting")
    answered = PollFactory(community=community)
    add_ballot(answered, member, answered.choices.first())
    PollFactory(community=community, opens_at=timezone.now() + timedelta(days=1), closes_at=None)
    closed = PollFactory(community=community, opens_at=timezone.now() - timedelta(days=3))
    closed.closes_at = timezone.now() - timedelta(days=1)
    closed.save()
    PollFactory(community=CommunityFactory())
    assert list(open_polls_unanswered_by(user=member)) == [waiting]


def test_unanswered_polls_make_one_query_with_the_community_loaded(member, community, assert_num_queries_exact):
    for _ in range(5):
        PollFactory(community=community)
    with assert_num_queries_exact(1):
        names = [poll.community.name for poll in open_polls_unanswered_by(user=member)]
    assert names == [community.name] * 5


def test_community_filter_limits_unanswered_polls(member, community):
    other = MembershipFactory(user=member).community
    PollFactory(community=other)
    mine = PollFactory(community=community)
    assert list(open_polls_unanswered_by(user=member, community=community)) == [mine]


def test_community_home_shows_polls_waiting_for_the_member_in_what_needs_you(client, member, community):
    PollFactory(community=community, question="Which unplugged activity worked best?")
    client.force_login(member)
    text = page_text(client.get(community.get_absolute_url()))
    assert "What needs you" in text
    assert "Poll Which unplugged activity worked best?" in text
    assert text.count("Which unplugged activity worked best?") == 1


def test_an_answered_poll_leaves_what_needs_you(member, community):
    poll = PollFactory(community=community)
    add_ballot(poll, member, poll.choices.first())
    panel = what_needs_you_panel(community=community, viewer=member, access=access_for(member, community))
    assert panel["rows"] == []


@pytest.fixture
def thread(community, member):
    return Thread.objects.create(community=community, author=member, title="Loops in grade 3", body="How?")


def test_a_poll_in_a_thread_is_shown_and_answerable_there(client, member, community, thread):
    poll = PollFactory(community=community, question="Tried the loop dance?", thread=thread)
    client.force_login(member)
    response = client.get(thread.get_absolute_url())
    text = page_text(response)
    assert "Tried the loop dance?" in text
    assert "Send my answer" in text
    url = reverse("polls:vote", kwargs={"slug": community.slug, "poll_id": poll.pk})
    response = client.post(url, {"choice": poll.choices.first().pk, "next": thread.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()


def test_thread_panel_offers_leaders_to_add_a_poll(moderator, community, thread):
    panel = thread_panel(thread=thread, viewer=moderator, access=access_for(moderator, community))
    assert panel["polls"] == []
    assert thread_panel(thread=thread, viewer=None, access=access_for(None, community)) is None


def test_leader_adds_a_poll_to_a_thread(client, moderator, community, thread):
    client.force_login(moderator)
    url = reverse("polls:new", kwargs={"slug": community.slug}) + f"?thread={thread.pk}"
    assert "Loops in grade 3" in page_text(client.get(url))
    now = timezone.now()
    response = client.post(
        url,
        {
            "question": "Which loop activity?",
            "kind": "single",
            "choices": "Dance\nCards",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "results_visibility": "always",
            "thread": thread.pk,
        },
    )
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert Poll.objects.get().thread == thread


def test_a_thread_of_another_community_cannot_hold_the_poll(client, moderator, community):
    other = CommunityFactory()
    author = MembershipFactory(community=other).user
    foreign = Thread.objects.create(community=other, author=author, title="Elsewhere", body="x")
    client.force_login(moderator)
    url = reverse("polls:new", kwargs={"slug": community.slug})
    response = client.post(
        url,
        {
            "question": "Q?",
            "kind": "text",
            "opens_at": timezone.now().strftime("%Y-%m-%dT%H:%M"),
            "results_visibility": "always",
            "thread": foreign.pk,
        },
    )
    assert response.status_code == 400
    assert not Poll.objects.exists()


def test_the_poll_page_reads_the_poll_and_its_choices_in_two_queries(member, community, assert_num_queries_exact):
    area = FocusAreaFactory(community=community)
    poll = PollFactory(community=community, focus_area=area, created_by=member, choices=["Later", "Sooner"])
    later, sooner = poll.choices.all()
    later.position, sooner.position = 5, 1  # choices come in the order of their positions
    later.save()
    sooner.save()
    access = access_for(member, community)
    with assert_num_queries_exact(2):
        found = poll_for_page(access=access, poll_id=poll.pk)
    with assert_num_queries_exact(0):
        assert (found.focus_area.name, found.created_by.pk, found.community) == (area.name, member.pk, community)
        assert [choice.label for choice in found.choices.all()] == ["Sooner", "Later"]
        assert all(choice.poll is found for choice in found.choices.all())
    # The prefetched choices are the poll's own queryset: narrowing it still asks for this poll's choices alone.
    PollFactory(community=community, choices=["Later"])
    assert [choice.pk for choice in found.choices.filter(label="Later")] == [later.pk]
    with pytest.raises(Http404):
        poll_for_page(access=access_for(member, MembershipFactory(user=member).community), poll_id=poll.pk)
