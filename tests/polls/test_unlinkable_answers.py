"""Issue 15.4: with full database access, no system column, id order or timestamp pairs a
Participation with the Ballot of an anonymous poll.

Each member answers in a request of their own (as on the site), the poll closes, the
sealed answers are mixed; then the test reads what a database administrator could.
"""

import pytest
from django.db import connection
from django.urls import reverse

from communities.permissions import access_for
from polls.models import Ballot, Participation
from polls.services import close_poll
from polls.tasks import mix_closed_polls
from tests.factories import CommunityFactory, MembershipFactory
from tests.polls.factories import PollFactory

VOTERS = 8


def _rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_no_system_column_id_order_or_time_pairs_a_participation_with_its_ballot(client):
    community = CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    poll = PollFactory(community=community, is_anonymous=True, choices=[f"Answer {n}" for n in range(VOTERS)])
    voters = [MembershipFactory(community=community).user for _ in range(VOTERS)]
    choices = list(poll.choices.order_by("position"))
    url = reverse("polls:vote", kwargs={"slug": community.slug, "poll_id": poll.pk})
    for person, choice in zip(voters, choices, strict=True):  # person n answers "Answer n"
        client.force_login(person)
        assert client.post(url, {"choice": choice.pk}).status_code == 302
    assert not Ballot.objects.filter(poll=poll).exists()  # nothing to pair while the poll is open

    close_poll(access=access_for(moderator, community), poll=poll)  # mixes after commit
    assert Ballot.objects.filter(poll=poll).count() == VOTERS
    assert mix_closed_polls() == 0  # the beat job finds nothing left: safe to run twice

    participations = _rows(
        "SELECT xmin::text::bigint, ctid::text, id, user_id FROM polls_participation WHERE poll_id = %s ORDER BY id",
        [poll.pk],
    )
    ballots = _rows(
        "SELECT b.xmin::text::bigint, b.ctid::text, b.id::text, bc.choice_id, bc.xmin::text::bigint "
        "FROM polls_ballot b JOIN polls_ballotchoice bc ON bc.ballot_id = b.id WHERE b.poll_id = %s",
        [poll.pk],
    )
    assert len(participations) == len(ballots) == VOTERS
    # xmin: every ballot and pick was written by one transaction, which wrote no participation.
    assert len({row[0] for row in ballots} | {row[4] for row in ballots}) == 1
    assert ballots[0][0] not in {row[0] for row in participations}
    # Order on disk (ctid) and by key: neither follows the order people answered in.
    answer_order = [choice.pk for choice in choices]
    by_ctid = [row[3] for row in sorted(ballots, key=lambda row: tuple(map(int, row[1].strip("()").split(","))))]
    by_key = [row[3] for row in sorted(ballots, key=lambda row: row[2])]
    assert by_ctid != answer_order
    assert by_ctid != answer_order[::-1]
    assert by_key != answer_order
    # No time anywhere: neither table has a timestamp column to line up.
    for table in ("polls_participation", "polls_ballot", "polls_ballotchoice", "polls_sealedanswer"):
        types = _rows(
            "SELECT data_type FROM information_schema.columns WHERE table_name = %s AND column_name <> 'updated_at'",
            [table],
        )
        assert not any("time" in t[0] or "date" in t[0] for t in types), table
    assert not Ballot.objects.filter(poll=poll, updated_at__isnull=False).exists()
    assert Participation.objects.filter(poll=poll).count() == VOTERS
