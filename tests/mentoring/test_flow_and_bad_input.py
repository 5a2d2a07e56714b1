"""Asking, answering, the pair's space and the end through the pages; bad input gets a clear 4xx and keeps the text."""

import pytest
from django.urls import reverse

from mentoring.models import Goal, MentorProfile, MentorRequest, Message, Pairing
from tests.factories import CommunityFactory, FocusAreaFactory
from tests.mentoring.factories import access, active_pairing, member_of, mentor, mentor_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def community():
    return CommunityFactory(slug="math")


def url(name, **kwargs):
    return reverse(f"mentoring:{name}", kwargs={"slug": "math", **kwargs})


def test_a_teacher_asks_picks_a_mentor_who_accepts_and_they_talk(client, community):
    fractions = FocusAreaFactory(community=community, name="Fractions")
    riley = mentor(community, name="Riley", district="Riverside", focus_areas=[fractions], grade_bands=["k2"])
    jordan = member_of(community, name="Jordan", district="Lakeview")
    client.force_login(jordan)
    response = client.post(
        url("ask"),
        {"goals": "Teach fractions with number lines", "focus_areas": [fractions.pk], "grade_band": "k2",
         "role": "teacher", "other_district_welcome": "on"},
    )  # fmt: skip
    request = MentorRequest.objects.get(mentee=jordan)
    assert response["Location"] == request.get_absolute_url()
    page = client.get(request.get_absolute_url()).content.decode()
    assert "both K-2, both work on Fractions, both teachers, Lakeview ↔ Riverside" in page

    response = client.post(url("ask_mentor", request_id=request.pk), {"profile": riley.pk})
    pairing = Pairing.objects.get(request=request)
    assert response["Location"] == pairing.get_absolute_url()
    assert pairing.status == Pairing.Status.ASKED

    client.force_login(riley.user)
    response = client.post(url("respond", pair_id=pairing.pk), {"answer": "accept", "cadence_days": "7"})
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.cadence_days == 7
    client.post(url("message", pair_id=pairing.pk), {"body": "Hello **Jordan** <script>x</script>"})
    message = Message.objects.get(pairing=pairing)
    assert "<strong>Jordan</strong>" in message.body_html
    assert "<script>" not in message.body_html
    client.post(url("add_goal", pair_id=pairing.pk), {"text": "Plan one lesson"})
    goal = Goal.objects.get(pairing=pairing)
    client.post(url("tick_goal", pair_id=pairing.pk, goal_id=goal.pk), {"done": "1"})
    goal.refresh_from_db()
    assert goal.done_at is not None

    client.force_login(jordan)
    client.post(url("end", pair_id=pairing.pk), {"outcome": "completed", "note": "It helped a lot"})
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.COMPLETED
    assert pairing.end_note == "It helped a lot"
    leader = member_of(community, is_moderator=True)
    client.force_login(leader)
    page = client.get(url("leaders")).content.decode()
    assert "1 pairing completed" in page
    assert "It helped a lot" in page


def test_declining_with_a_note_lets_the_mentee_ask_someone_else(client, community):
    riley = mentor(community, name="Riley")
    sam = mentor(community, name="Sam")
    jordan = member_of(community)
    request = mentor_request(community, jordan)
    client.force_login(jordan)
    client.post(url("ask_mentor", request_id=request.pk), {"profile": riley.pk})
    pairing = Pairing.objects.get(request=request)
    client.force_login(riley.user)
    client.post(url("respond", pair_id=pairing.pk), {"answer": "decline", "note": "Full this term, sorry"})
    pairing.refresh_from_db()
    assert pairing.status == Pairing.Status.DECLINED
    assert pairing.response_note == "Full this term, sorry"
    client.force_login(jordan)
    page = client.get(request.get_absolute_url()).content.decode()
    assert "Ask Sam" in page
    assert "Ask Riley" not in page
    assert client.post(url("ask_mentor", request_id=request.pk), {"profile": sam.pk}).status_code == 302


def test_a_district_leader_asks_on_behalf_of_their_district(client, community):
    leader = member_of(community, district="Lakeview", is_district_leader=True)
    client.force_login(leader)
    client.post(url("ask"), {"goals": "Our district starts coding", "role": "district_leader", "for_district": "on"})
    assert MentorRequest.objects.get(mentee=leader).for_district.name == "Lakeview"


def test_a_member_who_is_not_a_district_leader_cannot_ask_for_a_district(client, community):
    teacher = member_of(community, district="Lakeview")
    client.force_login(teacher)
    client.post(url("ask"), {"goals": "Our district starts coding", "role": "teacher", "for_district": "on"})
    assert MentorRequest.objects.get(mentee=teacher).for_district is None  # the box is not even offered


def test_leaders_suggest_a_pairing_for_a_waiting_request(client, community):
    riley = mentor(community, name="Riley")
    request = mentor_request(community, member_of(community, name="Jordan"))
    leader = member_of(community, is_district_leader=True)
    client.force_login(leader)
    page = client.get(url("leaders")).content.decode()
    assert "Jordan" in page
    assert "Riley" in page
    client.post(url("ask_mentor", request_id=request.pk), {"profile": riley.pk})
    pairing = Pairing.objects.get(request=request)
    assert pairing.suggested_by == leader
    assert pairing.status == Pairing.Status.ASKED


def test_asking_yourself_is_refused(client, community):
    me = member_of(community)
    profile = mentor(community, user=me)
    request = mentor_request(community, me)
    client.force_login(me)
    response = client.post(url("ask_mentor", request_id=request.pk), {"profile": profile.pk})
    assert response.status_code == 400
    assert "cannot be your own mentor" in response.content.decode()
    assert not Pairing.objects.exists()


def test_asking_a_mentor_at_capacity_is_refused(client, community):
    full = mentor(community, name="Full", capacity=1)
    active_pairing(full, member_of(community))
    jordan = member_of(community)
    request = mentor_request(community, jordan)
    client.force_login(jordan)
    response = client.post(url("ask_mentor", request_id=request.pk), {"profile": full.pk})
    assert response.status_code == 400
    assert "has no room for another mentee" in response.content.decode()


def test_asking_twice_at_once_is_a_conflict(client, community):
    jordan = member_of(community)
    request = mentor_request(community, jordan)
    client.force_login(jordan)
    client.post(url("ask_mentor", request_id=request.pk), {"profile": mentor(community).pk})
    response = client.post(url("ask_mentor", request_id=request.pk), {"profile": mentor(community).pk})
    assert response.status_code == 409


def test_another_communitys_mentor_or_request_is_404(client, community):
    other = CommunityFactory()
    jordan = member_of(community)
    other.memberships.create(user=jordan)
    theirs = mentor(other)
    request = mentor_request(community, jordan)
    client.force_login(jordan)
    assert client.post(url("ask_mentor", request_id=request.pk), {"profile": theirs.pk}).status_code == 404
    elsewhere = mentor_request(other, jordan)
    assert client.get(url("request", request_id=elsewhere.pk)).status_code == 404


def test_someone_elses_request_is_404(client, community):
    request = mentor_request(community, member_of(community))
    client.force_login(member_of(community))
    assert client.get(url("request", request_id=request.pk)).status_code == 404


def test_a_message_to_an_ended_pairing_is_refused_and_the_text_kept(client, community):
    pairing = active_pairing(mentor(community), member_of(community))
    pairing.status = Pairing.Status.ENDED
    pairing.save()
    client.force_login(pairing.mentee)
    response = client.post(url("message", pair_id=pairing.pk), {"body": "Are you there?"})
    assert response.status_code == 410
    assert "This pairing has ended" in response.content.decode()
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("body", "problem"),
    [("", "Write your message first."), ("x" * 5001, "under 5,000 characters")],
)
def test_an_empty_or_too_long_message_is_refused_and_the_text_kept(client, community, body, problem):
    pairing = active_pairing(mentor(community), member_of(community))
    client.force_login(pairing.mentee)
    response = client.post(url("message", pair_id=pairing.pk), {"body": body})
    assert response.status_code == 400
    assert problem in response.content.decode()
    if body:
        assert body[:200] in response.content.decode()
    assert not Message.objects.exists()


def test_a_file_of_a_type_the_library_refuses_is_refused(client, community):
    from django.core.files.uploadedfile import SimpleUploadedFile

    pairing = active_pairing(mentor(community), member_of(community))
    client.force_login(pairing.mentee)
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00\x03binary", content_type="application/octet-stream")
    response = client.post(url("message", pair_id=pairing.pk), {"body": "See this", "file": upload})
    assert response.status_code == 400
    assert "is not a file type" in response.content.decode()
    assert "See this" in response.content.decode()


@pytest.mark.parametrize(("capacity", "problem"), [("0", "at least 1 mentee"), ("1000", "is the most we allow")])
def test_a_capacity_of_0_or_1000_is_refused(client, community, capacity, problem):
    me = member_of(community)
    client.force_login(me)
    response = client.post(
        url("mentor_profile"),
        {"role": "coach", "years": "5", "capacity": capacity, "availability": "Tuesdays", "is_active": "on"},
    )
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert "Tuesdays" in response.content.decode()
    assert not MentorProfile.objects.exists()


def test_a_request_without_goals_is_refused(client, community):
    client.force_login(member_of(community))
    response = client.post(url("ask"), {"goals": "", "role": "teacher", "subject": "Science"})
    assert response.status_code == 400
    assert "Say what you want to work on" in response.content.decode()
    assert 'value="Science"' in response.content.decode()


def test_only_the_mentor_answers_and_only_once(client, community):
    profile = mentor(community)
    jordan = member_of(community)
    from mentoring.services import ask_mentor

    pairing = ask_mentor(access=access(jordan, community), request=mentor_request(community, jordan),
                         profile_id=profile.pk)  # fmt: skip
    client.force_login(jordan)
    assert client.post(url("respond", pair_id=pairing.pk), {"answer": "accept", "cadence_days": "7"}).status_code == 404
    client.force_login(profile.user)
    assert client.post(url("respond", pair_id=pairing.pk), {"answer": "accept", "cadence_days": "7"}).status_code == 302
    assert client.post(url("respond", pair_id=pairing.pk), {"answer": "accept", "cadence_days": "7"}).status_code == 409


def test_another_pairings_goal_is_404(client, community):
    mine = active_pairing(mentor(community), member_of(community))
    theirs = active_pairing(mentor(community), member_of(community))
    goal = Goal.objects.create(pairing=theirs, text="Theirs")
    client.force_login(mine.mentee)
    assert client.post(url("tick_goal", pair_id=mine.pk, goal_id=goal.pk), {"done": "1"}).status_code == 404
