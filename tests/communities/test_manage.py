import re

import pytest
from django.urls import reverse

from communities.models import FocusArea, Invitation, Membership
from tests.communities.factories import InvitationFactory, JoinRequestFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, community, **kwargs):
    return reverse(f"communities:{name}", kwargs={"slug": community.slug, **kwargs})


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


# -- settings ---------------------------------------------------------------------
def test_moderator_changes_settings(mod_client, community):
    data = {
        "name": "Renamed",
        "tagline": "",
        "domain": "New domain",
        "purpose": "",
        "audience": "coaches",
        "audience_detail": "",
        "cadence": "Weekly",
        "visibility": "members",
        "join_policy": "request",
    }
    response = mod_client.post(url("manage_settings", community), data)
    assert response.status_code == 302
    community.refresh_from_db()
    assert (community.name, community.visibility, community.cadence) == ("Renamed", "members", "Weekly")


def test_settings_with_an_empty_name_are_refused_and_nothing_changes(mod_client, community):
    name = community.name
    response = mod_client.post(url("manage_settings", community), {"name": "", "domain": "x", "audience": "all"})
    assert response.status_code == 400
    assert "Give the community a name." in response.content.decode()
    community.refresh_from_db()
    assert community.name == name


def test_member_posting_to_a_manage_url_gets_403_and_nothing_changes(client, community, member):
    client.force_login(member)
    response = client.post(url("manage_settings", community), {"name": "Taken over", "domain": "x"})
    assert response.status_code == 403
    assert "Only moderators" in response.content.decode()
    community.refresh_from_db()
    assert community.name != "Taken over"


# -- focus areas --------------------------------------------------------------------
def test_moderator_adds_a_focus_area_led_by_a_member(mod_client, community, member):
    response = mod_client.post(
        url("manage_focus_areas", community),
        {"name": "Unplugged activities", "description": "No screens", "leaders": [member.pk]},
    )
    assert response.status_code == 302
    area = FocusArea.objects.get(community=community)
    assert (area.slug, list(area.leaders.all())) == ("unplugged-activities", [member])


def test_a_focus_area_leader_must_be_a_member(mod_client, community):
    outsider = UserFactory()
    response = mod_client.post(url("manage_focus_areas", community), {"name": "Topic", "leaders": [outsider.pk]})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not FocusArea.objects.exists()


def test_duplicate_focus_area_name_is_refused(mod_client, community):
    FocusAreaFactory(community=community, name="Assessment")
    response = mod_client.post(url("manage_focus_areas", community), {"name": "assessment"})
    assert response.status_code == 400
    assert "already has a focus area called" in response.content.decode()
    assert FocusArea.objects.count() == 1


def test_empty_focus_area_name_is_refused(mod_client, community):
    response = mod_client.post(url("manage_focus_areas", community), {"name": " "})
    assert response.status_code == 400
    assert not FocusArea.objects.exists()


def test_moderator_edits_and_deletes_a_focus_area(mod_client, community):
    area = FocusAreaFactory(community=community, name="Old")
    mod_client.post(url("manage_focus_area_edit", community, pk=area.pk), {"name": "New name", "description": "d"})
    area.refresh_from_db()
    assert (area.name, area.slug) == ("New name", "new-name")
    mod_client.post(url("manage_focus_area_delete", community, pk=area.pk))
    assert not FocusArea.objects.exists()


def test_editing_another_communitys_focus_area_gives_404(mod_client, community):
    other = FocusAreaFactory(community=CommunityFactory(), name="Theirs")
    assert mod_client.post(url("manage_focus_area_edit", community, pk=other.pk), {"name": "Mine"}).status_code == 404
    assert mod_client.post(url("manage_focus_area_delete", community, pk=other.pk)).status_code == 404
    other.refresh_from_db()
    assert other.name == "Theirs"


# -- join requests ------------------------------------------------------------------
def test_moderator_approves_a_request_and_the_requester_is_emailed(
    mod_client, community, mailoutbox, django_capture_on_commit_callbacks
):
    request = JoinRequestFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(url("manage_request_approve", community, pk=request.pk))
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved"
    assert Membership.objects.filter(community=community, user=request.user).exists()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [request.user.email]
    assert f"Welcome to {community.name}" in mailoutbox[0].subject


def test_moderator_declines_a_request_and_the_requester_is_emailed(
    mod_client, community, mailoutbox, django_capture_on_commit_callbacks
):
    request = JoinRequestFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(url("manage_request_decline", community, pk=request.pk))
    request.refresh_from_db()
    assert request.status == "declined"
    assert not Membership.objects.filter(community=community, user=request.user).exists()
    assert "declined" in mailoutbox[0].body


def test_approving_a_request_of_another_community_gives_404(mod_client, community, mailoutbox):
    request = JoinRequestFactory(community=CommunityFactory())
    response = mod_client.post(url("manage_request_approve", community, pk=request.pk))
    assert response.status_code == 404
    request.refresh_from_db()
    assert request.status == "pending"
    assert not Membership.objects.filter(user=request.user).exists()
    assert not mailoutbox


def test_answering_a_request_twice_is_refused(mod_client, community, mailoutbox, django_capture_on_commit_callbacks):
    request = JoinRequestFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        mod_client.post(url("manage_request_decline", community, pk=request.pk))
        response = mod_client.post(url("manage_request_approve", community, pk=request.pk))
    assert response.status_code == 409
    assert "already declined" in response.content.decode()
    assert not Membership.objects.filter(user=request.user).exists()
    assert len(mailoutbox) == 1


def test_request_queue_lists_pending_requests_with_their_messages(mod_client, community):
    JoinRequestFactory(community=community, message="I teach grade 4.")
    response = mod_client.get(url("manage_requests", community))
    assert "I teach grade 4." in response.content.decode()


# -- invitations --------------------------------------------------------------------
def test_moderator_invites_by_email_and_the_email_carries_a_link(
    mod_client, community, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = mod_client.post(url("manage_invitations", community), {"email": "newbie@school.org"})
    assert response.status_code == 302
    invitation = Invitation.objects.get(community=community)
    assert invitation.email == "newbie@school.org"
    assert mailoutbox[0].to == ["newbie@school.org"]
    assert re.search(r"http://\S+/invitations/\S+/", mailoutbox[0].body)


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@x.org, three@y.org", "", "x" * 250 + "@x.org"])
def test_inviting_a_malformed_address_is_refused(mod_client, community, mailoutbox, email):
    response = mod_client.post(url("manage_invitations", community), {"email": email})
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert not mailoutbox


def test_inviting_a_member_or_someone_already_invited_is_refused(mod_client, community, member):
    response = mod_client.post(url("manage_invitations", community), {"email": member.email})
    assert response.status_code == 400
    assert "already a member" in response.content.decode()
    InvitationFactory(community=community, email="pending@school.org")
    response = mod_client.post(url("manage_invitations", community), {"email": "PENDING@school.org"})
    assert response.status_code == 400
    assert "already has an open invitation" in response.content.decode()
    assert Invitation.objects.count() == 1


def test_moderator_withdraws_an_invitation(mod_client, community):
    invitation = InvitationFactory(community=community)
    mod_client.post(url("manage_invitation_revoke", community, pk=invitation.pk))
    invitation.refresh_from_db()
    assert invitation.revoked


def test_withdrawing_another_communitys_invitation_gives_404(mod_client, community):
    invitation = InvitationFactory(community=CommunityFactory())
    assert mod_client.post(url("manage_invitation_revoke", community, pk=invitation.pk)).status_code == 404
    invitation.refresh_from_db()
    assert not invitation.revoked


# -- roles -------------------------------------------------------------------------
def test_moderator_changes_a_members_roles(mod_client, community, member):
    membership = Membership.objects.get(community=community, user=member)
    mod_client.post(url("manage_roles_change", community, pk=membership.pk), {"is_mentor": "on", "is_moderator": "on"})
    membership.refresh_from_db()
    assert (membership.is_moderator, membership.is_district_leader, membership.is_mentor) == (True, False, True)


def test_the_last_moderator_cannot_be_demoted(mod_client, community, moderator):
    membership = Membership.objects.get(community=community, user=moderator)
    response = mod_client.post(url("manage_roles_change", community, pk=membership.pk), {})
    assert response.status_code == 409
    assert "at least one moderator" in response.content.decode()
    membership.refresh_from_db()
    assert membership.is_moderator


def test_moderator_removes_a_member(mod_client, community, member):
    membership = Membership.objects.get(community=community, user=member)
    assert mod_client.post(url("manage_member_remove", community, pk=membership.pk)).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_removing_a_member_of_another_community_gives_404(mod_client, community):
    other = MembershipFactory(community=CommunityFactory())
    assert mod_client.post(url("manage_member_remove", community, pk=other.pk)).status_code == 404
    assert (
        mod_client.post(url("manage_roles_change", community, pk=other.pk), {"is_moderator": "on"}).status_code == 404
    )
    other.refresh_from_db()
    assert not other.is_moderator


def test_staff_may_manage_any_community(client, community):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(url("manage", community)).status_code == 200


def test_manage_overview_counts_what_waits(mod_client, community):
    JoinRequestFactory(community=community)
    InvitationFactory(community=community)
    response = mod_client.get(url("manage", community))
    summary = response.context["summary"]
    assert (summary["pending_requests"], summary["open_invitations"], summary["members"]) == (1, 1, 1)
    assert summary["focus_area_count"] == community.focus_areas.count()
    assert f"{summary['focus_area_count']}</span> focus area" in response.content.decode()
