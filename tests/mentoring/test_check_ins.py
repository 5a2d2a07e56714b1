"""Check-ins: one per cadence period (twice-run beat job creates nothing more), shown to both people in
"What needs me" and the digest, and counted in hours for the PD record."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from digests.selectors import calls_to_action
from mentoring import selectors, services, tasks
from mentoring.models import CheckIn
from tests.factories import CommunityFactory
from tests.mentoring.factories import access, active_pairing, member_of, mentor

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing():
    community = CommunityFactory(slug="math")
    return active_pairing(
        mentor(community, user=member_of(community, name="Riley")),
        member_of(community, name="Jordan"),
        started_at=timezone.now() - timedelta(days=15),
        cadence_days=14,
    )


def test_the_beat_job_creates_the_check_in_of_each_period_once_across_two_runs(pairing):
    assert tasks.create_due_check_ins.delay().get() == 1  # period 2 began a day ago
    assert tasks.create_due_check_ins.delay().get() == 0
    assert sorted(CheckIn.objects.filter(pairing=pairing).values_list("period", flat=True)) == [1, 2]

    later = timezone.now() + timedelta(days=14)
    assert services.create_due_check_ins(now=later) == 1
    assert services.create_due_check_ins(now=later) == 0
    assert CheckIn.objects.filter(pairing=pairing).count() == 3


def test_an_ended_pairing_gets_no_more_check_ins(pairing):
    services.end_pairing(access=access(pairing.mentee, pairing.community), pairing=pairing, completed=True)
    assert services.create_due_check_ins() == 0
    assert not CheckIn.objects.filter(pairing=pairing).exists()


def test_check_in_with_the_other_person_is_in_both_peoples_what_needs_me_and_digest(pairing):
    mentor_calls = calls_to_action(user=pairing.mentor)
    mentee_calls = calls_to_action(user=pairing.mentee)
    assert [c.title for c in mentor_calls.mentoring] == ["Check in with Jordan"]
    assert [c.title for c in mentee_calls.mentoring] == ["Check in with Riley"]
    assert mentor_calls.mentoring[0].path == pairing.get_absolute_url()


def test_the_site_home_shows_the_check_in(client, pairing):
    client.force_login(pairing.mentee)
    assert "Check in with Riley" in client.get("/").content.decode()


def test_recording_a_check_in_clears_it_and_counts_the_hours(pairing):
    services.record_check_in(access=access(pairing.mentor, pairing.community), pairing=pairing, minutes=45)
    assert calls_to_action(user=pairing.mentee).mentoring == []
    start, end = timezone.now() - timedelta(days=1), timezone.now() + timedelta(days=1)
    assert selectors.mentoring_hours_for(pairing.mentor, start, end) == 0.75
    assert selectors.mentoring_hours_for(pairing.mentee, start, end) == 0.75
    assert selectors.mentoring_hours_for(pairing.mentee, end, end + timedelta(days=1)) == 0


def test_a_second_check_in_in_the_same_period_is_refused(client, pairing):
    pairing.started_at = timezone.now() - timedelta(days=1)
    pairing.save()
    client.force_login(pairing.mentee)
    url = reverse("mentoring:check_in", kwargs={"slug": "math", "pair_id": pairing.pk})
    assert client.post(url, {"minutes": "30"}).status_code == 302
    response = client.post(url, {"minutes": "30"})
    assert response.status_code == 409
    assert "already checked in this period" in response.content.decode()


def test_a_former_member_no_longer_sees_the_check_in(pairing):
    pairing.mentee.memberships.all().delete()
    assert calls_to_action(user=pairing.mentee).mentoring == []


def test_a_mentee_waiting_for_an_answer_is_in_the_mentors_what_needs_me():
    community = CommunityFactory(slug="math")
    profile = mentor(community, user=member_of(community, name="Riley"))
    jordan = member_of(community, name="Jordan")
    from tests.mentoring.factories import mentor_request

    services.ask_mentor(access=access(jordan, community), request=mentor_request(community, jordan),
                        profile_id=profile.pk)  # fmt: skip
    assert [c.title for c in calls_to_action(user=profile.user).mentoring] == ["Jordan asks you to be their mentor"]
    assert calls_to_action(user=jordan).mentoring == []
