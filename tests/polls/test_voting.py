from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from polls.models import Ballot, BallotChoice, Participation, Poll
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, page_text

pytestmark = pytest.mark.django_db


def vote_url(poll):
    return reverse("polls:vote", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})


def choice(poll, label):
    return poll.choices.get(label=label)


def test_member_votes_without_javascript_and_is_sent_back_to_the_poll(client, member, poll):
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": choice(poll, "Yes").pk})
    assert response.status_code == 302
    assert response["Location"] == poll.get_absolute_url()
    page = client.get(response["Location"])
    assert "Your answer is saved." in page.content.decode()
    assert BallotChoice.objects.get(ballot__voter=member).choice.label == "Yes"


def test_member_votes_with_htmx_and_gets_the_poll_back_with_results(client, member, poll):
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": choice(poll, "No").pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="poll-{poll.pk}"' in html
    assert "<html" not in html
    assert "1 of 2 members answered" in page_text(response)


def test_member_changes_the_vote_and_the_count_moves(client, member, poll):
    client.force_login(member)
    client.post(vote_url(poll), {"choice": choice(poll, "Yes").pk})
    client.post(vote_url(poll), {"choice": choice(poll, "No").pk})
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert list(BallotChoice.objects.filter(ballot__poll=poll).values_list("choice__label", flat=True)) == ["No"]
    assert Participation.objects.filter(poll=poll).count() == 1


def test_voting_without_a_choice_is_refused_with_a_message(client, member, poll):
    client.force_login(member)
    response = client.post(vote_url(poll), {})
    assert response.status_code == 400
    assert "Pick an answer before sending it." in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_choice_of_another_poll_is_refused(client, member, poll):
    other = PollFactory(community=poll.community)
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": other.choices.first().pk})
    assert response.status_code == 400
    assert "not one of this poll" in response.content.decode()
    assert not Ballot.objects.exists()


def test_a_choice_that_is_not_a_number_is_refused(client, member, poll):
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": "'; drop table"})
    assert response.status_code == 400
    assert not Ballot.objects.exists()


def test_more_choices_than_allowed_are_refused(client, member, community):
    poll = PollFactory(community=community, kind=Poll.Kind.MULTIPLE, max_choices=2, choices=["A", "B", "C", "D"])
    client.force_login(member)
    ids = list(poll.choices.values_list("pk", flat=True)[:3])
    response = client.post(vote_url(poll), {"choice": ids})
    assert response.status_code == 400
    assert "Pick at most 2 answers." in response.content.decode()
    assert not Ballot.objects.exists()


def test_multiple_choice_within_the_limit_is_stored(client, member, community):
    poll = PollFactory(community=community, kind=Poll.Kind.MULTIPLE, max_choices=2, choices=["A", "B", "C"])
    client.force_login(member)
    ids = list(poll.choices.values_list("pk", flat=True)[:2])
    assert client.post(vote_url(poll), {"choice": ids}).status_code == 302
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 2


def test_voting_before_the_poll_opens_is_refused(client, member, community):
    poll = PollFactory(community=community, opens_at=timezone.now() + timedelta(days=1), closes_at=None)
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    # Members do not see scheduled polls at all.
    assert response.status_code == 404
    assert not Ballot.objects.exists()


def test_a_leader_cannot_vote_on_a_scheduled_poll_either(client, moderator, community):
    poll = PollFactory(community=community, opens_at=timezone.now() + timedelta(days=1), closes_at=None)
    client.force_login(moderator)
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    assert response.status_code == 400
    assert "not open yet" in response.content.decode()
    assert not Ballot.objects.exists()


def test_voting_after_the_poll_closes_is_refused(client, member, community):
    poll = PollFactory(community=community, opens_at=timezone.now() - timedelta(days=2))
    poll.closes_at = timezone.now() - timedelta(minutes=1)
    poll.save()
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    assert response.status_code == 400
    assert "This poll is closed" in response.content.decode()
    assert not Ballot.objects.exists()


def test_closed_poll_page_shows_no_answer_form(client, member, community):
    poll = PollFactory(community=community, opens_at=timezone.now() - timedelta(days=2))
    poll.closes_at = timezone.now() - timedelta(minutes=1)
    poll.save()
    client.force_login(member)
    html = client.get(poll.get_absolute_url()).content.decode()
    assert "Send my answer" not in html
    assert "This poll is closed." in html


def test_a_non_member_cannot_vote(client, poll):
    client.force_login(UserFactory())
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_staff_who_are_not_members_cannot_vote(client, poll):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    assert response.status_code == 403
    assert not Ballot.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client, poll):
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Ballot.objects.exists()


def test_a_poll_of_another_community_is_not_found(client, member, community):
    other_poll = PollFactory(community=CommunityFactory())
    MembershipFactory(user=member, community=other_poll.community)
    client.force_login(member)
    url = reverse("polls:vote", kwargs={"slug": community.slug, "poll_id": other_poll.pk})
    assert client.post(url, {"choice": other_poll.choices.first().pk}).status_code == 404
    assert not Ballot.objects.exists()


def test_vote_page_rejects_get(client, member, poll):
    client.force_login(member)
    assert client.get(vote_url(poll)).status_code == 405


def test_text_answer_is_stored_and_an_empty_one_refused(client, member, community):
    poll = PollFactory(community=community, kind=Poll.Kind.TEXT)
    client.force_login(member)
    assert client.post(vote_url(poll), {"text": "   "}).status_code == 400
    assert client.post(vote_url(poll), {"text": "More time for unplugged work"}).status_code == 302
    assert Ballot.objects.get(poll=poll).text == "More time for unplugged work"


def test_too_long_text_answer_is_refused(client, member, community):
    poll = PollFactory(community=community, kind=Poll.Kind.TEXT)
    client.force_login(member)
    assert client.post(vote_url(poll), {"text": "x" * 281}).status_code == 400
    assert not Ballot.objects.exists()


def test_next_url_on_another_site_is_ignored(client, member, poll):
    client.force_login(member)
    response = client.post(vote_url(poll), {"choice": poll.choices.first().pk, "next": "https://evil.example/"})
    assert response["Location"] == poll.get_absolute_url()
