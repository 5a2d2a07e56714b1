"""Lose no email, send none twice: core.mail against a real SMTP server on loopback."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communities import services as community_services
from communities.models import Invitation
from communities.permissions import access_for
from core import mail
from core.models import EmailDelivery, Suppression
from core.tasks import send_due_emails
from discussions.models import Subscription
from notifications import emails, kinds
from notifications.services import fan_out, payload_for
from tests.digests.smtp import SMTPServer
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(settings):
    """An SMTP server that is not running yet (its port refuses connections); ``.start()`` brings it up."""
    server = SMTPServer()
    server.use_in(settings)
    yield server
    server.stop()


def make_due(**filters):
    """Pretend the retry time of failed emails has come."""
    EmailDelivery.objects.filter(status="failed", **filters).update(next_attempt_at=timezone.now())


def thread_with_followers(emails, *, visibility="members"):
    community = CommunityFactory(visibility=visibility)
    author = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community, author=author)
    followers = []
    for address in emails:
        person = MembershipFactory(community=community, user=UserFactory(email=address)).user
        Subscription.objects.create(thread=thread, user=person)
        followers.append(person)
    post = PostFactory(thread=thread, author=author, body="Pair programming worked for us.")
    return post, followers


def email_followers(post):
    """Tell the followers of ``post``'s thread (notifications' fan-out) and send the batch when its window ends."""
    followers = Subscription.objects.filter(thread=post.thread).exclude(user=post.author).values_list("user_id")
    fan_out(
        payload_for(
            kind=kinds.FOLLOWED_REPLY,
            recipients=[user_id for (user_id,) in followers],
            community=post.community_id,
            actor=post.author_id,
            target=post,
            url=post.get_absolute_url(),
            subject=post.thread.title,
            event_key=f"post:{post.pk}",
            email_group=f"thread:{post.thread_id}",
        )
    )
    return len(emails.send_due(now=timezone.now() + dt.timedelta(hours=1)).sent)


# -- replies to followers: one connection, fixed queries, one failure stops nobody ------------
def _run_notify(count, handler):
    post, _ = thread_with_followers([f"follower{count}-{n}@example.com" for n in range(count)])
    before = len(handler.received())
    with CaptureQueriesContext(connection) as queries:
        assert email_followers(post) == count
    return len(queries), len(handler.received()) - before


def test_follower_emails_use_one_connection_and_a_fixed_number_of_queries(smtp):
    few_queries, few_sent = _run_notify(3, smtp)
    many_queries, many_sent = _run_notify(30, smtp)
    assert (few_sent, many_sent) == (3, 30)
    # One UPDATE per message marks it sent the moment the server accepted it; nothing else grows.
    assert many_queries - few_queries <= 30 - 3
    assert smtp.connections() == 2  # one per batch, not one per follower
    print(f"follower emails: {few_queries} queries for 3 followers, {many_queries} for 30")


def test_a_refused_follower_does_not_stop_the_others_and_a_rerun_sends_nothing(smtp):
    post, (_first, bounced, _last) = thread_with_followers(["ana@example.com", "bounce@example.com", "cy@example.com"])
    assert email_followers(post) == 2
    assert sorted(r for rcpts, _ in smtp.received() for r in rcpts) == ["ana@example.com", "cy@example.com"]
    refused = EmailDelivery.objects.get(to=bounced.email)
    assert (refused.status, refused.next_attempt_at) == ("failed", None)
    assert "550" in refused.error
    assert Suppression.objects.filter(address="bounce@example.com", reason="bounced").exists()
    assert email_followers(post) == 0
    assert len(smtp.received()) == 2


def test_a_follower_who_may_no_longer_see_the_community_is_not_emailed(smtp):
    post, (_stays, leaves) = thread_with_followers(["stays@example.com", "leaves@example.com"])
    leaves.memberships.all().delete()  # still subscribed, no longer a member of this members-only community
    assert email_followers(post) == 1
    assert [rcpts for rcpts, _ in smtp.received()] == [["stays@example.com"]]


def test_a_busy_mailbox_is_retried_later_and_gets_one_email(smtp):
    post, _ = thread_with_followers(["busy@example.com", "ok@example.com"])
    assert email_followers(post) == 1
    waiting = EmailDelivery.objects.get(to="busy@example.com")
    assert waiting.status == "failed"
    assert waiting.next_attempt_at is not None  # a passing failure: tried again
    assert "451" in waiting.error
    smtp.busy = False
    make_due()
    assert send_due_emails.delay().get() == 1
    assert send_due_emails.delay().get() == 0
    assert email_followers(post) == 0
    assert len(smtp.to("busy@example.com")) == 1
    assert len(smtp.to("ok@example.com")) == 1


def test_a_suppressed_address_gets_nothing(smtp):
    mail.suppress(address="Gone@Example.com", reason="complained")
    post, _ = thread_with_followers(["gone@example.com", "here@example.com"])
    assert email_followers(post) == 1
    assert smtp.to("gone@example.com") == []
    assert EmailDelivery.objects.get(to="gone@example.com").status == "suppressed"


# -- invitations when SMTP is down -------------------------------------------------------
def test_an_invitation_sent_while_smtp_is_down_shows_send_again_and_arrives_once(
    client, smtp_down, django_capture_on_commit_callbacks
):
    community = CommunityFactory(visibility="hidden")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    client.force_login(moderator)
    manage = reverse("communities:manage_invitations", kwargs={"slug": community.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage, {"email": "new.principal@example.com"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    delivery = EmailDelivery.objects.get(ref_type="invitation", ref_id=invitation.pk)
    assert delivery.status == "failed"
    assert "Connection refused" in delivery.error or "ConnectionRefused" in delivery.error

    page = client.get(manage).content.decode()
    assert "Email not delivered" in page
    assert "Send again" in page

    # Inviting the same address again is not refused: it sends the same invitation again.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(manage, {"email": "new.principal@example.com"})
    assert response.status_code == 302
    assert Invitation.objects.count() == 1

    smtp_down.start()
    resend = reverse("communities:manage_invitation_resend", kwargs={"slug": community.slug, "pk": invitation.pk})
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(resend).status_code == 302
    (received,) = smtp_down.handler.to("new.principal@example.com")
    assert "/invitations/" in received.get_body(preferencelist=("plain",)).get_content()
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert delivery.body_text == ""  # the one-time link is not kept once it went out
    assert "Send again" not in client.get(manage).content.decode()

    # Nothing sends it twice: the task again, the sweep, or "Send again" on a sent invitation.
    from communities.tasks import send_invitation

    assert send_invitation.delay(invitation.pk).get() is False
    assert send_due_emails.delay().get() == 0
    assert client.post(resend).status_code == 409
    assert len(smtp_down.handler.received()) == 1


def test_send_again_is_for_moderators_of_that_community_only(client, smtp_down):
    community, other = CommunityFactory(), CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    invitation = Invitation.objects.create(
        community=community, email="x@example.com", invited_by=moderator, expires_at=timezone.now() + dt.timedelta(1)
    )
    url = reverse("communities:manage_invitation_resend", kwargs={"slug": community.slug, "pk": invitation.pk})
    assert client.post(url).status_code == 302  # anonymous: log in first
    assert "/accounts/login/" in client.post(url)["Location"]
    client.force_login(MembershipFactory(community=community).user)
    assert client.post(url).status_code == 403
    other_moderator = MembershipFactory(community=other, is_moderator=True).user
    client.force_login(other_moderator)
    wrong = reverse("communities:manage_invitation_resend", kwargs={"slug": other.slug, "pk": invitation.pk})
    assert client.post(wrong).status_code == 404
    assert client.get(url).status_code in {403, 405}
    assert not EmailDelivery.objects.exists()


def test_a_bounced_invitation_address_is_not_offered_send_again(client, smtp):
    community = CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    community_services.invite(access=access_for(moderator, community), email="bounce@example.com")
    from communities.tasks import send_invitation

    send_invitation.delay(Invitation.objects.get().pk)
    client.force_login(moderator)
    manage = reverse("communities:manage_invitations", kwargs={"slug": community.slug})
    page = client.get(manage).content.decode()
    assert "Address bounced" in page  # 550: failed for good, and the address is suppressed
    assert "Send again" not in page
    invitation = Invitation.objects.get()
    resend = reverse("communities:manage_invitation_resend", kwargs={"slug": community.slug, "pk": invitation.pk})
    response = client.post(resend)
    assert response.status_code == 409
    assert "bounced before" in response.content.decode()
    response = client.post(manage, {"email": "bounce@example.com"})
    assert response.status_code == 400
    assert "bounced before" in response.content.decode()
    assert smtp.to("bounce@example.com") == []
    assert EmailDelivery.objects.get().status == "failed"


# -- signup and password reset when SMTP is down -----------------------------------------------
def test_signup_while_smtp_is_down_makes_a_whole_account_and_the_confirmation_arrives_later(
    client, smtp_down, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    from accounts.models import User

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new.teacher@example.com",
                "username": "newteacher",
                "password1": "Pencil-Sharpener-81",
                "password2": "Pencil-Sharpener-81",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(email="new.teacher@example.com")
    assert EmailAddress.objects.filter(user=user, email=user.email, primary=True).exists()
    waiting = EmailDelivery.objects.get(to=user.email)
    assert (waiting.kind, waiting.status) == ("account_email_confirmation_signup", "failed")

    smtp_down.start()
    make_due()
    assert send_due_emails.delay().get() == 1
    (confirmation,) = smtp_down.handler.to(user.email)
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    path = "/accounts/confirm-email/" + text.split("/accounts/confirm-email/", 1)[1].split("/", 1)[0] + "/"
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified


def test_password_reset_while_smtp_is_down_answers_normally(client, smtp_down, django_capture_on_commit_callbacks):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 302
    assert EmailDelivery.objects.get(to=person.email).kind == "account_password_reset_key"


# -- bounce and complaint webhooks -----------------------------------------------------------
POSTMARK_BOUNCE = {
    "RecordType": "Bounce",
    "Type": "HardBounce",
    "TypeCode": 1,
    "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
    "Email": "Jane.Teacher@example.com",
    "BouncedAt": "2026-11-30T12:00:00Z",
    "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
    "Tag": "",
    "Metadata": {},
}


def test_a_bounce_reported_by_the_email_service_stops_further_email(client, settings, smtp):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret"}
    url = "/anymail/postmark/tracking/"
    assert client.post(url, POSTMARK_BOUNCE, content_type="application/json").status_code == 400  # no credentials
    assert not Suppression.objects.exists()
    response = client.post(
        url,
        POSTMARK_BOUNCE,
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic aG9va3M6czNjcmV0",  # hooks:s3cret
    )
    assert response.status_code == 200
    suppression = Suppression.objects.get()
    assert (suppression.address, suppression.reason, suppression.source) == (
        "jane.teacher@example.com",
        "bounced",
        "Postmark",
    )
    post, _ = thread_with_followers(["jane.teacher@example.com", "other@example.com"])
    assert email_followers(post) == 1
    assert smtp.to("jane.teacher@example.com") == []


def test_a_spam_complaint_reported_by_the_email_service_stops_the_digest_too(client, settings, smtp):
    from digests.models import DigestDelivery
    from digests.periods import current_period
    from digests.services import deliver_batch
    from tests.digests.factories import CommunityNoteFactory

    settings.ANYMAIL = {"WEBHOOK_SECRET": "hooks:s3cret"}
    complaint = {**POSTMARK_BOUNCE, "RecordType": "SpamComplaint", "Type": "SpamComplaint", "TypeCode": 512}
    complaint["Email"] = "annoyed@example.com"
    response = client.post(
        "/anymail/postmark/tracking/",
        complaint,
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic aG9va3M6czNjcmV0",
    )
    assert response.status_code == 200
    assert Suppression.objects.get().reason == "complained"
    community = CommunityFactory()
    person = MembershipFactory(community=community, user=UserFactory(email="annoyed@example.com")).user
    CommunityNoteFactory(community=community, period=current_period().key, body="Hello.")
    deliver_batch(period=current_period(), user_ids=[person.pk])
    assert smtp.received() == []
    assert "bounced or complained" in DigestDelivery.objects.get(user=person).error


def test_the_invitations_page_shows_each_emails_state_in_a_fixed_number_of_queries(client, assert_num_queries_exact):
    community = CommunityFactory()
    moderator = MembershipFactory(community=community, is_moderator=True).user
    client.force_login(moderator)
    manage = reverse("communities:manage_invitations", kwargs={"slug": community.slug})
    states = ["sent", "failed", "pending", "suppressed"]

    def invite(count):
        for n in range(count):
            invitation = Invitation.objects.create(
                community=community,
                email=f"person{Invitation.objects.count()}-{n}@example.com",
                invited_by=moderator,
                expires_at=timezone.now() + dt.timedelta(days=14),
            )
            EmailDelivery.objects.create(
                key=f"invitation:{invitation.pk}",
                kind="invitation",
                to=invitation.email,
                ref_type="invitation",
                ref_id=invitation.pk,
                subject="x",
                status=states[n % 4],
                sent_at=timezone.now() if states[n % 4] == "sent" else None,
            )

    invite(4)
    client.get(manage)
    with assert_num_queries_exact(8):  # 7, and the moderation counts on the community tabs
        page = client.get(manage).content.decode()
    assert page.count("Send again<span") == 1
    invite(96)
    with assert_num_queries_exact(8):  # 7, and the moderation counts on the community tabs
        page = client.get(manage).content.decode()
    assert page.count("Send again<span") == 25
    assert page.count("Email not delivered") == 25


# -- an email service through django-anymail -----------------------------------------------
def test_email_service_picks_the_anymail_backend_with_one_setting():
    script = "from django.conf import settings; print(settings.EMAIL_BACKEND); print(settings.ANYMAIL)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={
            **os.environ,
            "EMAIL_SERVICE": "postmark",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "token-123",
            "EMAIL_HOST": "smtp.example.org",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "anymail.backends.postmark.EmailBackend" in result.stdout
    assert "'POSTMARK_SERVER_TOKEN': 'token-123'" in result.stdout


def test_emails_go_out_through_an_anymail_backend_and_are_recorded(settings):
    from django.core import mail as django_mail

    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"  # anymail's own stand-in for a service
    post, _ = thread_with_followers(["ana@example.com", "ben@example.com"])
    assert email_followers(post) == 2
    assert sorted(m.to[0] for m in django_mail.outbox) == ["ana@example.com", "ben@example.com"]
    assert all(m.anymail_status.status == {"sent"} for m in django_mail.outbox)
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_an_email_claimed_by_a_dead_worker_of_this_host_is_sent_at_once_and_only_once(smtp):
    import socket

    from core import workers

    def claimed(address, claimer):
        return EmailDelivery.objects.create(
            key=f"test:{address}",
            kind="reply",
            to=address,
            subject="[CoP Forum] Hello",
            body_text="Hello",
            body_html="<p>Hello</p>",
            status="sending",
            claimed_by=claimer,
            claimed_at=timezone.now(),
        )

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    claimed("dead@example.com", f"{socket.gethostname()}:{dead.pid}:a1b2c3")
    claimed("elsewhere@example.com", "other-host:1234:a1b2c3")  # may be alive: waits for EMAIL_CLAIM_TIMEOUT
    claimed("alive@example.com", workers.identity())  # this very process is sending it
    assert send_due_emails.delay().get() == 1
    assert [rcpts for rcpts, _ in smtp.received()] == [["dead@example.com"]]
    assert send_due_emails.delay().get() == 0
