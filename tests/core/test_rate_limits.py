"""Issue 15.13: flags and invitations are rate limited, failed logins lock per account and address,
and every 429 says when to try again."""

import pytest
from django.core import mail
from django.urls import reverse

from communities.models import Invitation
from discussions.models import Flag, Post
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_flagging_fast_gets_a_429_with_retry_after_and_the_reason_kept(client, settings):
    settings.FLAG_RATE_LIMIT = "3/h"
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    posts = PostFactory.create_batch(4, thread=thread)
    client.force_login(member)
    for post in posts[:3]:
        url = reverse(
            "discussions:flag_post", kwargs={"slug": thread.community.slug, "thread_id": thread.pk, "post_id": post.pk}
        )
        assert client.post(url, {"reason": "Spam"}).status_code == 302
    url = reverse(
        "discussions:flag_post", kwargs={"slug": thread.community.slug, "thread_id": thread.pk, "post_id": posts[3].pk}
    )
    response = client.post(url, {"reason": "Looks like spam to me"})
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "flagged a lot" in response.content.decode()
    assert "Looks like spam to me" in response.content.decode()
    assert Flag.objects.count() == 3


def test_inviting_fast_gets_a_429_with_retry_after_and_no_more_emails(
    client, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_RATE_LIMIT = "2/h"
    community = CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    client.force_login(moderator)
    url = reverse("communities:manage_invitations", kwargs={"slug": community.slug})
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert client.post(url, {"email": f"teacher{n}@example.org"}).status_code == 302
        response = client.post(url, {"email": "teacher9@example.org"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "many invitations" in response.content.decode()
    assert "teacher9@example.org" in response.content.decode()
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2


def _log_in(client, email, password, address):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


def test_someone_elses_failed_logins_do_not_lock_the_owner_out(client, settings):
    owner = UserFactory(email="owner@example.org")
    for _ in range(6):
        _log_in(client, owner.email, "wrong-guess", "203.0.113.9")
    locked = _log_in(client, owner.email, PASSWORD, "203.0.113.9")
    assert b"Too many failed login attempts" in locked.content  # the guesser's address is locked
    assert "_auth_user_id" not in client.session
    response = _log_in(client, owner.email, PASSWORD, "198.51.100.20")  # the owner, at school
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_allauths_own_429_carries_retry_after(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        _log_in(client, "nobody@example.org", "x", "192.0.2.1")
    response = _log_in(client, "nobody@example.org", "x", "192.0.2.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


def test_a_too_fast_reply_without_htmx_carries_retry_after(client, settings):
    settings.POST_RATE_LIMIT = "1/h"
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    client.force_login(member)
    url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    client.post(url, {"body": "First"})
    response = client.post(url, {"body": "Second, kept in the box"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Second, kept in the box" in response.content.decode()
    assert Post.objects.filter(thread=thread).count() == 1
