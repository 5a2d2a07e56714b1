"""Anonymous polls keep no link between a person and their answer, for anyone."""

import pytest
from django.db import connection
from django.urls import reverse

from polls.models import Ballot, BallotChoice, Participation
from tests.polls.factories import PollFactory, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous_poll(community, moderator):
    return PollFactory(community=community, created_by=moderator, is_anonymous=True, choices=["Calm", "Stressed"])


def vote(client, user, poll, label):
    client.force_login(user)
    url = reverse("polls:vote", kwargs={"slug": poll.community.slug, "poll_id": poll.pk})
    return client.post(url, {"choice": poll.choices.get(label=label).pk})


def test_anonymous_ballot_stores_no_voter_and_no_time(client, member, anonymous_poll):
    assert vote(client, member, anonymous_poll, "Stressed").status_code == 302
    ballot = Ballot.objects.get(poll=anonymous_poll)
    assert ballot.voter_id is None
    assert ballot.updated_at is None
    assert Participation.objects.filter(poll=anonymous_poll, user=member).exists()


def test_no_ballot_table_column_refers_to_a_person_or_a_sequence(client, member, anonymous_poll):
    vote(client, member, anonymous_poll, "Calm")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM polls_ballot")
        row = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
        cursor.execute("SELECT * FROM polls_ballotchoice")
        pick = dict(zip([c.name for c in cursor.description], cursor.fetchone(), strict=True))
    assert row["voter_id"] is None
    assert row["updated_at"] is None
    # Random keys: nothing orders ballots by when they were cast.
    assert len(str(row["id"])) == 36
    assert len(str(pick["id"])) == 36
    assert set(pick) == {"id", "ballot_id", "choice_id"}


def test_anonymous_answer_cannot_be_cast_twice(client, member, anonymous_poll):
    vote(client, member, anonymous_poll, "Calm")
    response = vote(client, member, anonymous_poll, "Stressed")
    assert response.status_code == 400
    assert BallotChoice.objects.filter(ballot__poll=anonymous_poll).count() == 1
    assert BallotChoice.objects.get(ballot__poll=anonymous_poll).choice.label == "Calm"


def test_moderator_sees_counts_but_no_names_on_the_anonymous_poll(client, member, moderator, anonymous_poll):
    member.display_name = "Quentin Quietly"
    member.save()
    vote(client, member, anonymous_poll, "Stressed")
    client.force_login(moderator)
    html = page_text(client.get(anonymous_poll.get_absolute_url()))
    assert "1 of 2 members answered" in html
    assert "Quentin Quietly" not in html
    assert "By district" not in html


def test_anonymous_csv_has_counts_and_no_people(client, member, moderator, anonymous_poll):
    member.display_name = "Quentin Quietly"
    member.save()
    vote(client, member, anonymous_poll, "Stressed")
    client.force_login(moderator)
    url = reverse("polls:export", kwargs={"slug": anonymous_poll.community.slug, "poll_id": anonymous_poll.pk})
    body = client.get(url).content.decode()
    assert "Stressed,1,100.0" in body
    assert "Quentin" not in body
    assert member.username not in body


def test_member_is_told_anonymous_answers_are_final(client, member, anonymous_poll):
    client.force_login(member)
    html = client.get(anonymous_poll.get_absolute_url()).content.decode()
    assert "Anonymous answers are final" in html
