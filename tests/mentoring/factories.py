from django.utils import timezone

from communities.models import Membership
from communities.permissions import access_for
from mentoring.models import CheckIn, MentorProfile, MentorRequest, Pairing
from tests.factories import DistrictFactory, MembershipFactory


def member_of(community, *, district=None, name=None, **roles):
    """A new member of ``community`` (with a district by name, and roles such as ``is_moderator``)."""
    extra = {"user__district": DistrictFactory(name=district)} if district else {}
    if name:
        extra["user__display_name"] = name
    return MembershipFactory(community=community, **extra, **roles).user


def mentor(community, *, user=None, focus_areas=(), grade_bands=(), capacity=2, role="teacher", subjects="", **kw):
    user = user or member_of(community, **kw)
    if not Membership.objects.filter(community=community, user=user).exists():
        Membership.objects.create(community=community, user=user)
    profile = MentorProfile.objects.create(
        community=community, user=user, grade_bands=list(grade_bands), capacity=capacity, role=role, subjects=subjects
    )
    profile.focus_areas.set(focus_areas)
    return profile


def mentor_request(community, mentee, *, focus_areas=(), grade_band="", role="teacher", subject="", **kw):
    request = MentorRequest.objects.create(
        community=community, mentee=mentee, goals="Get better at teaching fractions", grade_band=grade_band,
        role=role, subject=subject, **kw,
    )  # fmt: skip
    request.focus_areas.set(focus_areas)
    return request


def active_pairing(profile, mentee, *, started_at=None, cadence_days=14):
    """An accepted pairing of ``profile``'s mentor with ``mentee``, with its first check-in."""
    started_at = started_at or timezone.now()
    request = mentor_request(profile.community, mentee)
    request.status = MentorRequest.Status.MATCHED
    request.save()
    pairing = Pairing.objects.create(
        community=profile.community, request=request, mentor=profile.user, mentee=mentee, profile=profile,
        status=Pairing.Status.ACTIVE, started_at=started_at, cadence_days=cadence_days,
    )  # fmt: skip
    CheckIn.objects.create(pairing=pairing, period=1, due_at=started_at + timezone.timedelta(days=cadence_days))
    return pairing


def access(user, community):
    return access_for(user, community)
