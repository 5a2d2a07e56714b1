"""A mentor's capacity holds when two mentees' requests are accepted at the same moment (real PostgreSQL)."""

import contextlib
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from mentoring.models import MentorProfile, Pairing
from mentoring.services import ask_mentor, respond
from tests.factories import CommunityFactory
from tests.mentoring.factories import access, member_of, mentor, mentor_request

pytestmark = pytest.mark.django_db(transaction=True)


def accept_both_at_once(profile, pairings):
    start = threading.Barrier(len(pairings))
    errors, done = [], []

    def accept(pairing):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=5)
            respond(access=access(profile.user, profile.community), pairing=pairing, accept=True)
            done.append(pairing.pk)
        except ValidationError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p,)) for p in pairings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return done, errors


def asked(profile, community):
    mentee = member_of(community)
    request = mentor_request(community, mentee)
    return ask_mentor(access=access(mentee, community), request=request, profile_id=profile.pk)


def test_two_acceptances_at_once_leave_one_active_pairing_for_a_capacity_of_one():
    community = CommunityFactory()
    profile = mentor(community, capacity=1)
    pairings = [asked(profile, community), asked(profile, community)]

    done, errors = accept_both_at_once(profile, pairings)

    assert len(done) == 1
    assert len(errors) == 1
    assert "your capacity" in errors[0].messages[0]
    assert Pairing.objects.filter(profile=profile, status=Pairing.Status.ACTIVE).count() == 1
    assert Pairing.objects.filter(profile=profile, status=Pairing.Status.ASKED).count() == 1


def test_two_acceptances_at_once_both_succeed_with_room_for_two():
    community = CommunityFactory()
    profile = mentor(community, capacity=2)
    pairings = [asked(profile, community), asked(profile, community)]

    done, errors = accept_both_at_once(profile, pairings)

    assert errors == []
    assert len(done) == 2
    assert MentorProfile.objects.get(pk=profile.pk).pairings.filter(status=Pairing.Status.ACTIVE).count() == 2
