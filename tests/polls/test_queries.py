"""Pages make the same number of queries however many polls and ballots there are."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from communities.models import Membership
from polls.models import Ballot, BallotChoice, Choice, Participation, Poll
from tests.factories import DistrictFactory
from tests.polls.factories import PollFactory, add_ballot, page_text

pytestmark = pytest.mark.django_db


def make_polls(community, count):
    now = timezone.now()
    polls = Poll.objects.bulk_create(
        Poll(community=community, question=f"Question {i}", opens_at=now - timedelta(hours=1)) for i in range(count)
    )
    Choice.objects.bulk_create(Choice(poll=p, label=label, position=i) for p in polls for i, label in enumerate("AB"))
    return polls


def list_queries(client, community, assert_num_queries_exact):
    with assert_num_queries_exact(8):
        response = client.get(reverse("polls:list", kwargs={"slug": community.slug}))
    assert response.status_code == 200


def test_poll_list_with_200_polls_makes_as_many_queries_as_with_3(client, member, community, assert_num_queries_exact):
    client.force_login(member)
    make_polls(community, 3)
    list_queries(client, community, assert_num_queries_exact)
    make_polls(community, 197)
    list_queries(client, community, assert_num_queries_exact)


def make_ballots(poll, community, count):
    districts = [DistrictFactory(name=f"District {i}") for i in range(5)]
    users = User.objects.bulk_create(
        User(username=f"voter{i}", email=f"voter{i}@example.com", district=districts[i % 5]) for i in range(count)
    )
    Membership.objects.bulk_create(Membership(user=u, community=community) for u in users)
    Participation.objects.bulk_create(Participation(poll=poll, user=u) for u in users)
    ballots = Ballot.objects.bulk_create(Ballot(poll=poll, voter=u, updated_at=timezone.now()) for u in users)
    choices = list(poll.choices.all())
    BallotChoice.objects.bulk_create(BallotChoice(ballot=b, choice=choices[i % 3]) for i, b in enumerate(ballots))


@pytest.mark.parametrize(("viewer", "queries"), [("moderator", 13), ("member", 9)])
def test_result_page_with_5000_ballots_makes_a_fixed_number_of_queries(
    client, community, moderator, member, viewer, queries, assert_num_queries_exact
):
    poll = PollFactory(community=community)
    make_ballots(poll, community, 5000)
    client.force_login(moderator if viewer == "moderator" else member)
    add_ballot(poll, member, poll.choices.first())
    with assert_num_queries_exact(queries):
        response = client.get(poll.get_absolute_url())
    assert "5001 of 5002 members answered" in page_text(response)


def test_csv_export_of_5000_ballots_makes_a_fixed_number_of_queries(
    client, community, moderator, assert_num_queries_exact
):
    poll = PollFactory(community=community)
    make_ballots(poll, community, 5000)
    client.force_login(moderator)
    with assert_num_queries_exact(9):
        response = client.get(reverse("polls:export", kwargs={"slug": community.slug, "poll_id": poll.pk}))
    assert response.content.decode().count("\n") > 5000
