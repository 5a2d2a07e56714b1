"""Many members answering at the same moment on PostgreSQL: every ballot counted once, no errors."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.models import User
from communities.models import Membership
from communities.permissions import access_for
from polls.models import Ballot, BallotChoice, Participation, SealedAnswer
from polls.services import cast_vote
from tests.factories import CommunityFactory, UserFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db(transaction=True)

# PostgreSQL allows 100 connections and other test runs share the server, so at
# most this many threads hold one at a time; each vote uses its own connection.
THREADS = 40


def run_at_once(jobs):
    """Run ``jobs`` in parallel threads that start together; return the errors they raised."""
    start = threading.Barrier(min(THREADS, len(jobs)))
    errors = []

    def run(job):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=5)
            job()
        except Exception as exc:  # noqa: BLE001 - collected and asserted on below
            errors.append(exc)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(run, jobs))
    return errors


def test_200_members_voting_at_once_leave_exactly_200_ballots():
    community = CommunityFactory()
    members = User.objects.bulk_create(
        User(username=f"teacher{i}", email=f"teacher{i}@example.com") for i in range(200)
    )
    Membership.objects.bulk_create(Membership(user=u, community=community) for u in members)
    poll = PollFactory(community=community)
    choices = list(poll.choices.all())

    def vote(user, choice):
        return lambda: cast_vote(access=access_for(user, community), poll=poll, choices=[choice])

    errors = run_at_once([vote(u, choices[i % 3]) for i, u in enumerate(members)])
    assert errors == []
    assert Ballot.objects.filter(poll=poll).count() == 200
    assert Participation.objects.filter(poll=poll).count() == 200
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 200


def test_one_member_changing_the_vote_many_times_at_once_keeps_one_ballot():
    community = CommunityFactory()
    user = UserFactory()
    Membership.objects.create(user=user, community=community)
    poll = PollFactory(community=community)
    choices = list(poll.choices.all())
    access = access_for(user, community)

    def vote(choice):
        return lambda: cast_vote(access=access, poll=poll, choices=[choice])

    errors = run_at_once([vote(choices[i % 3]) for i in range(30)])
    assert errors == []
    assert Ballot.objects.filter(poll=poll).count() == 1
    assert Participation.objects.filter(poll=poll).count() == 1
    assert BallotChoice.objects.filter(ballot__poll=poll).count() == 1


def test_one_member_sending_an_anonymous_answer_many_times_at_once_is_counted_once():
    community = CommunityFactory()
    user = UserFactory()
    Membership.objects.create(user=user, community=community)
    poll = PollFactory(community=community, is_anonymous=True)
    choice = poll.choices.first()
    access = access_for(user, community)

    errors = run_at_once([lambda: cast_vote(access=access, poll=poll, choices=[choice]) for _ in range(30)])
    assert all(isinstance(error, ValidationError) for error in errors)
    assert len(errors) == 29
    assert SealedAnswer.objects.filter(poll=poll).count() == 1
    assert Ballot.objects.filter(poll=poll).count() == 0  # written when the poll closes
    assert Participation.objects.filter(poll=poll).count() == 1
