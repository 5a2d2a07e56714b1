from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from communities.models import Membership
from communities.services import INVITATION_SALT, invitation_token
from communities.signals import INVITATION_SESSION_KEY
from tests.communities.factories import InvitationFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(user):
    """An invitation to a hidden community, sent to ``user``'s (confirmed) address."""
    return InvitationFactory(
        community=CommunityFactory(name="Site Leaders Circle", visibility="hidden"), email=user.email.upper()
    )


def link(invitation):
    return reverse("communities:invitation", kwargs={"token": invitation_token(invitation)})


def test_logged_in_person_accepts_and_becomes_a_member(client, user, invitation):
    client.force_login(user)
    page = client.get(link(invitation))
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    response = client.post(link(invitation), follow=True)
    assert Membership.objects.filter(community=invitation.community, user=user).exists()
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (user, True)
    assert "You are now a member" in response.content.decode()


def test_a_reused_link_gets_410_and_nothing_changes(client, user, invitation):
    client.force_login(user)
    token_url = link(invitation)
    client.post(token_url)
    someone_else = UserFactory()
    client.force_login(someone_else)
    for method in (client.get, client.post):
        response = method(token_url)
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    assert not Membership.objects.filter(user=someone_else).exists()


def test_the_person_who_accepted_is_sent_to_the_community(client, user, invitation):
    client.force_login(user)
    client.post(link(invitation))
    response = client.get(link(invitation))
    assert response.status_code == 302
    assert response["Location"] == invitation.community.get_absolute_url()


def test_an_expired_invitation_gets_410(client, user, invitation):
    invitation.expires_at = timezone.now() - timedelta(minutes=1)
    invitation.save()
    client.force_login(user)
    response = client.post(link(invitation))
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_a_link_older_than_its_signature_allows_gets_410(client, user, invitation, monkeypatch):
    token = invitation_token(invitation)
    real_time = signing.time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() + timedelta(days=15).total_seconds())
    client.force_login(user)
    response = client.post(reverse("communities:invitation", kwargs={"token": token}))
    assert response.status_code == 410
    assert not Membership.objects.filter(user=user).exists()


def test_a_revoked_invitation_gets_410(client, user, invitation):
    invitation.revoked = True
    invitation.save()
    client.force_login(user)
    response = client.post(link(invitation))
    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "token",
    ["garbage", "eyJpbnZpdGF0aW9uIjoxfQ:1abc:def", "x" * 300],
)
def test_a_tampered_link_gets_400_and_names_no_community(client, user, invitation, token):
    client.force_login(user)
    response = client.post(reverse("communities:invitation", kwargs={"token": token}))
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert b"Site Leaders Circle" not in response.content
    assert not Membership.objects.filter(user=user).exists()


def test_a_token_signed_for_another_purpose_is_refused(client, user, invitation):
    forged = signing.dumps({"invitation": invitation.pk}, salt="something-else")
    client.force_login(user)
    response = client.post(reverse("communities:invitation", kwargs={"token": forged}))
    assert response.status_code == 400
    assert not Membership.objects.filter(user=user).exists()


def test_a_token_for_a_deleted_invitation_gets_410(client, user, invitation):
    url = link(invitation)
    invitation.delete()
    client.force_login(user)
    assert client.get(url).status_code == 410


def test_a_member_keeps_the_invitation_unused(client, invitation):
    member = MembershipFactory(community=invitation.community).user
    client.force_login(member)
    assert "already a member" in client.get(link(invitation)).content.decode()
    client.post(link(invitation))
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_someone_without_an_account_is_asked_to_sign_up_and_the_token_is_kept(client, invitation):
    response = client.get(link(invitation))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Sign up and join" in body
    assert signing.loads(client.session[INVITATION_SESSION_KEY], salt=INVITATION_SALT) == {"invitation": invitation.pk}


def test_anonymous_accept_is_sent_to_log_in(client, invitation):
    response = client.post(link(invitation))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_signing_up_through_the_link_makes_you_a_member_after_email_confirmation(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    import re

    invitation.email = "new.principal@example.org"  # nobody has an account with it yet
    invitation.save(update_fields=["email"])
    token_url = link(invitation)
    client.get(token_url)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_signup") + f"?next={token_url}",
            {
                "email": invitation.email,
                "username": "newprincipal",
                "password1": "Chalkboard-Eraser-73",
                "password2": "Chalkboard-Eraser-73",
                "next": token_url,
            },
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(community=invitation.community).exists()
    confirm = re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    response = client.post(confirm, follow=True)
    membership = Membership.objects.get(community=invitation.community)
    assert membership.user.username == "newprincipal"
    assert response.redirect_chain[-1][0] == invitation.community.get_absolute_url()
    invitation.refresh_from_db()
    assert invitation.accepted_by == membership.user


def test_logging_in_through_the_link_makes_you_a_member(client, invitation, user):
    from tests.factories import PASSWORD

    person = user
    token_url = link(invitation)
    client.get(token_url)
    response = client.post(
        reverse("account_login"), {"login": person.email, "password": PASSWORD, "next": token_url}, follow=True
    )
    assert Membership.objects.filter(community=invitation.community, user=person).exists()
    assert response.redirect_chain[-1][0] == invitation.community.get_absolute_url()


def test_logging_in_without_an_invitation_in_the_session_joins_nothing(client, invitation):
    from tests.factories import PASSWORD

    person = UserFactory()
    client.post(reverse("account_login"), {"login": person.email, "password": PASSWORD})
    assert not Membership.objects.filter(user=person).exists()


def test_the_token_is_signed_with_the_invitation_salt(invitation):
    data = signing.loads(invitation_token(invitation), salt=INVITATION_SALT)
    assert data == {"invitation": invitation.pk}


def test_a_link_opened_by_someone_else_shows_the_invited_address_and_lets_nobody_else_in(client, invitation):
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    page = client.get(link(invitation)).content.decode()
    assert invitation.email in page
    assert "Accept and join" not in page
    response = client.post(link(invitation))
    assert response.status_code == 403
    assert f"sent to {invitation.email}" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None  # still usable by the person it was meant for


def test_a_link_opened_logged_out_then_logging_in_as_someone_else_joins_nobody(client, invitation):
    from tests.factories import PASSWORD

    stranger = UserFactory(email="stranger@example.org")
    client.get(link(invitation))  # the token waits in the session
    client.post(reverse("account_login"), {"login": stranger.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(stranger.pk)
    assert not Membership.objects.filter(user=stranger).exists()


def test_an_unconfirmed_copy_of_the_invited_address_is_not_enough(client, invitation):
    from allauth.account.models import EmailAddress

    stranger = UserFactory(email="stranger@example.org")
    EmailAddress.objects.create(user=stranger, email=invitation.email, verified=False, primary=False)
    client.force_login(stranger)
    assert client.post(link(invitation)).status_code == 403
    assert not Membership.objects.filter(user=stranger).exists()
    EmailAddress.objects.filter(user=stranger, email=invitation.email).update(verified=True)
    assert client.post(link(invitation)).status_code == 302
    assert Membership.objects.filter(user=stranger, community=invitation.community).exists()
