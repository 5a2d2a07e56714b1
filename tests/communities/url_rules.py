from datetime import timedelta

from django.utils import timezone

from communities.models import Invitation, JoinRequest, Membership
from tests.factories import FocusAreaFactory, MembershipFactory, UserFactory
from tests.matrix import SECRET_MARKER, Rule, is_allowed

OUTSIDERS = ("anonymous", "outsider", "requester")


def gone_once_used(need):
    """For a POST that deletes its object: the moderator goes first, so staff then finds nothing (404)."""

    def expect(visibility, role):
        if visibility == "hidden" and role in OUTSIDERS:
            return {404}
        if role == "staff":
            return {302, 404}
        if is_allowed(visibility, role, need):
            return {200, 302, 400, 409}
        return {302} if role == "anonymous" else {403}

    return expect


def join_expect(visibility, role):
    """Joining is allowed to anyone who may view; an invitation-only (hidden) community refuses even staff."""
    if visibility == "hidden" and role in OUTSIDERS:
        return {404}
    if role == "anonymous":
        return {302}
    if role in ("member", "moderator"):
        return {409}  # already a member
    if visibility == "hidden":
        return {403}  # staff: invitation only
    return {302, 409}  # a request is stored (or was already pending)


def _secret_member(community, author):
    """A member whose name is members-only text (the members page lists it)."""
    MembershipFactory(community=community, user=UserFactory(display_name=f"Ada {SECRET_MARKER}"))
    return {}


def _focus_area(community, author):
    area = FocusAreaFactory(community=community, description=f"About {SECRET_MARKER}")
    area.leaders.add(author)
    return {"area_slug": area.slug}


def _focus_area_pk(community, author):
    area = FocusAreaFactory(community=community, description=f"About {SECRET_MARKER}")
    return {"pk": area.pk}


def _join_request(community, author):
    request = JoinRequest.objects.create(community=community, user=UserFactory(), message=f"Hi {SECRET_MARKER}")
    return {"pk": request.pk}


def _invitation(community, author):
    invitation = Invitation.objects.create(
        community=community, email="invitee@example.com", invited_by=author, expires_at=timezone.now() + timedelta(1)
    )
    return {"pk": invitation.pk}


def _with_focus_area(community, author):
    _focus_area(community, author)
    return {}


def _with_join_request(community, author):
    _join_request(community, author)
    return {}


def _membership(community, author):
    return {"pk": Membership.objects.get(community=community, user=author).pk}


def _district(community, author):
    from tests.factories import DistrictFactory

    district = DistrictFactory()
    community.districts.add(district)
    return {"pk": district.pk}


def _invitation_link(community, author):
    from datetime import timedelta

    from django.utils import timezone

    from communities.models import InvitationLink

    link = InvitationLink.objects.create(
        community=community, token=f"t{community.pk}-matrix", expires_at=timezone.now() + timedelta(days=1), max_uses=3
    )
    return {"pk": link.pk}


RULES = {
    "communities:home": Rule("view"),
    "communities:members": Rule("see", kwargs=_secret_member),
    "communities:mention_candidates": Rule("post", kwargs=_secret_member, data={"q": "Ada"}),
    "communities:join": Rule("view", method="POST", data={"message": "Hello"}, expect=join_expect),
    "communities:leave": Rule("post", method="POST"),
    "communities:follow_focus_area": Rule("post", method="POST", kwargs=_focus_area),
    "communities:unfollow_focus_area": Rule("post", method="POST", kwargs=_focus_area),
    "communities:manage": Rule("manage", kwargs=_with_join_request),
    "communities:manage_settings": Rule("manage"),
    "communities:manage_focus_areas": Rule("manage", kwargs=_with_focus_area),
    "communities:manage_focus_area_edit": Rule("manage", kwargs=_focus_area_pk),
    "communities:manage_focus_area_delete": Rule(
        "manage", method="POST", kwargs=_focus_area_pk, expect=gone_once_used("manage")
    ),
    "communities:manage_requests": Rule("manage", kwargs=_with_join_request),
    "communities:manage_request_approve": Rule("manage", method="POST", kwargs=_join_request),
    "communities:manage_request_decline": Rule("manage", method="POST", kwargs=_join_request),
    "communities:manage_invitations": Rule("manage"),
    "communities:manage_invitation_revoke": Rule("manage", method="POST", kwargs=_invitation),
    "communities:manage_invitation_resend": Rule("manage", method="POST", kwargs=_invitation),
    "communities:manage_roles": Rule("manage", kwargs=_secret_member),
    "communities:manage_districts": Rule("manage"),
    "communities:manage_bulk_invitations": Rule("manage"),
    "communities:manage_invitation_links": Rule("manage", method="POST", data={"days": 3, "max_uses": 5}),
    "communities:manage_invitation_link_revoke": Rule("manage", method="POST", kwargs=_invitation_link),
    "communities:rename_district": Rule("manage", method="POST", kwargs=_district, data={"name": "Renamed USD"}),
    # No district to merge into: an allowed viewer gets a 400, nothing merged.
    "communities:merge_district": Rule("manage", method="POST", kwargs=_district),
    "communities:districts": Rule("see"),
    "communities:choose_district": Rule("post", method="POST"),
    "communities:confirm_district": Rule("post", method="POST", kwargs=_membership),
    "communities:manage_roles_change": Rule("manage", method="POST", kwargs=_membership, data={"is_mentor": "on"}),
    "communities:manage_member_remove": Rule(
        "manage", method="POST", kwargs=_membership, expect=gone_once_used("manage")
    ),
}
