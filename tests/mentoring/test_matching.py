"""Suggestions are ranked by fit with the reasons shown, and never offer the mentee, a full mentor or a refusal."""

import pytest

from mentoring import selectors
from mentoring.models import Pairing
from tests.factories import CommunityFactory, FocusAreaFactory
from tests.mentoring.factories import active_pairing, member_of, mentor, mentor_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    community = CommunityFactory(slug="math")
    fractions = FocusAreaFactory(community=community, name="Fractions", slug="fractions")
    geometry = FocusAreaFactory(community=community, name="Geometry", slug="geometry")
    mentee = member_of(community, district="Lakeview", name="Jordan")
    return community, fractions, geometry, mentee


def names(suggestions):
    return [s.profile.user.name for s in suggestions]


def test_mentors_are_ranked_focus_and_grade_first_then_role_and_subject_then_other_district(world):
    community, fractions, geometry, mentee = world
    # Known order: each step down the list loses one kind of fit.
    mentor(community, name="A full fit", district="Riverside", focus_areas=[fractions], grade_bands=["k2"],
           role="teacher", subjects="Math")  # fmt: skip
    mentor(community, name="B same district", district="Lakeview", focus_areas=[fractions], grade_bands=["k2"],
           role="teacher", subjects="Math")  # fmt: skip
    mentor(community, name="C coach", district="Riverside", focus_areas=[fractions], grade_bands=["k2"],
           role="coach", subjects="Math")  # fmt: skip
    mentor(community, name="D other grades", district="Riverside", focus_areas=[fractions], grade_bands=["9-12"],
           role="teacher", subjects="Math")  # fmt: skip
    mentor(community, name="E other focus", district="Riverside", focus_areas=[geometry], grade_bands=["k2"],
           role="coach")  # fmt: skip
    mentor(community, name="F nothing shared", district="Lakeview", focus_areas=[geometry], role="principal")
    request = mentor_request(community, mentee, focus_areas=[fractions], grade_band="k2", subject="math")

    ranked = selectors.suggestions_for(request=request)

    assert names(ranked) == [
        "A full fit", "B same district", "C coach", "D other grades", "E other focus", "F nothing shared",
    ]  # fmt: skip
    assert ranked[0].reasons == (
        "both K-2", "both work on Fractions", "both teachers", "both teach math", "Lakeview ↔ Riverside",
    )  # fmt: skip
    assert "both in Lakeview" in ranked[1].reasons


def test_a_focus_area_leader_is_said_to_lead_it(world):
    community, fractions, _geometry, mentee = world
    profile = mentor(community, name="Lead", district="Riverside", focus_areas=[fractions], grade_bands=["k2"])
    fractions.leaders.add(profile.user)
    request = mentor_request(community, mentee, focus_areas=[fractions], grade_band="k2")
    [suggestion] = selectors.suggestions_for(request=request)
    assert suggestion.reasons_text.startswith("both K-2, leads Fractions")
    assert "Lakeview ↔ Riverside" in suggestion.reasons_text


def test_never_the_mentee_a_mentor_at_capacity_a_paused_one_or_one_who_declined(world):
    community, fractions, _geometry, mentee = world
    mentor(community, user=mentee, focus_areas=[fractions])
    full = mentor(community, name="Full", focus_areas=[fractions], capacity=1)
    active_pairing(full, member_of(community))
    paused = mentor(community, name="Paused", focus_areas=[fractions])
    paused.is_active = False
    paused.save()
    declined = mentor(community, name="Declined", focus_areas=[fractions])
    fine = mentor(community, name="Fine", focus_areas=[fractions], capacity=2)
    active_pairing(fine, member_of(community))
    request = mentor_request(community, mentee, focus_areas=[fractions])
    Pairing.objects.create(
        community=community, request=request, mentor=declined.user, mentee=mentee, profile=declined,
        status=Pairing.Status.DECLINED,
    )  # fmt: skip

    ranked = selectors.suggestions_for(request=request)

    assert names(ranked) == ["Fine"]
    assert ranked[0].free == 1


def test_only_the_mentees_district_when_other_districts_are_not_welcome(world):
    community, fractions, _geometry, mentee = world
    mentor(community, name="Elsewhere", district="Riverside", focus_areas=[fractions])
    mentor(community, name="Next door", district="Lakeview")
    request = mentor_request(community, mentee, focus_areas=[fractions], other_district_welcome=False)
    assert names(selectors.suggestions_for(request=request)) == ["Next door"]


def test_another_communitys_mentors_are_never_suggested(world):
    community, fractions, _geometry, mentee = world
    other = CommunityFactory()
    mentor(other, user=member_of(community, name="Only there"))
    request = mentor_request(community, mentee, focus_areas=[fractions])
    assert selectors.suggestions_for(request=request) == []


def test_a_former_member_is_never_suggested(world):
    community, fractions, _geometry, mentee = world
    profile = mentor(community, name="Left", focus_areas=[fractions])
    profile.user.memberships.all().delete()
    request = mentor_request(community, mentee, focus_areas=[fractions])
    assert selectors.suggestions_for(request=request) == []
