from io import StringIO

import pytest

from communities import demo
from communities.models import Community, FocusArea, Invitation, JoinRequest, Membership
from communities.tasks import send_invitation, send_join_request_decision
from tests.communities.factories import InvitationFactory, JoinRequestFactory

pytestmark = pytest.mark.django_db


def test_decision_email_is_sent_once_when_the_task_runs_twice(mailoutbox):
    request = JoinRequestFactory(status="approved")
    assert send_join_request_decision(request.pk) is True
    assert send_join_request_decision(request.pk) is False
    assert len(mailoutbox) == 1


def test_no_decision_email_for_a_pending_request(mailoutbox):
    request = JoinRequestFactory()
    assert send_join_request_decision(request.pk) is False
    assert not mailoutbox


def test_invitation_email_is_sent_once_and_not_after_revoking(mailoutbox):
    invitation = InvitationFactory()
    assert send_invitation(invitation.pk) is True
    assert send_invitation(invitation.pk) is False
    revoked = InvitationFactory(revoked=True)
    assert send_invitation(revoked.pk) is False
    assert len(mailoutbox) == 1
    assert invitation.community.name in mailoutbox[0].subject


def test_demo_shows_every_role_a_pending_request_and_an_invitation():
    from accounts import demo as accounts_demo

    accounts_demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    demo.seed(stdout=StringIO())
    for slug in ("computational-thinking-k8", "digital-learning-leaders", "site-leaders-circle"):
        community = Community.objects.get(slug=slug)
        members = Membership.objects.filter(community=community)
        assert members.filter(is_moderator=True).exists(), slug
        assert members.filter(is_district_leader=True).exists(), slug
        assert members.filter(is_mentor=True).exists(), slug
        assert members.filter(is_moderator=False, is_district_leader=False, is_mentor=False).exists(), slug
        assert FocusArea.objects.filter(community=community, leaders__isnull=False).exists(), slug
    assert {c.visibility for c in Community.objects.all()} >= {"public", "members", "hidden"}
    assert JoinRequest.objects.filter(status="pending", community__slug="digital-learning-leaders").count() == 1
    assert Invitation.objects.filter(community__slug="site-leaders-circle").count() == 1
