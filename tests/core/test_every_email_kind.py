"""Every kind of email the site sends goes through core.mail, driven the way people cause it.

The list of kinds below must match the email templates on disk: a new template that is
sent some other way, or never sent, fails here.
"""

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail as django_mail
from django.urls import reverse
from django.utils import timezone

from api import webhooks
from api.models import Webhook
from calendar_app.tasks import send_activity_reminders
from communities import services as community_services
from communities.models import JoinRequest
from communities.permissions import access_for
from digests.periods import current_period
from digests.services import deliver_batch
from discussions import services as discussion_services
from resources import services as resource_services
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.digests.factories import CommunityNoteFactory
from tests.discussions.factories import ThreadFactory
from tests.factories import PASSWORD, CommunityFactory, MembershipFactory, UserFactory
from tests.mailcheck import check_message
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
# kind (X-Email-Kind) -> its template under templates/ (None: allauth's own templates)
KINDS = {
    "invitation": "communities/email/invitation",
    "join_request_decision": "communities/email/join_request_decision",
    "notification_mention": "notifications/email/notification",
    "notification_reply": "notifications/email/notification",
    "notification_answer_accepted": "notifications/email/notification",
    "resource_decision": "resources/email/decision",
    "reminder": "calendar_app/email/reminder",
    "digest": "digests/email/digest",
    "webhook_disabled": "api/email/webhook_disabled",
    "account_email_confirmation_signup": None,
    "account_email_confirmation": None,
    "account_password_reset_key": None,
}


# Pieces that emails include ({% include %}), not emails of their own.
EMAIL_PARTIALS = {"core/email/base", "core/email/text", "core/email/quote", "core/email/button"}
EMAIL_PARTIALS |= {"digests/email/items", "digests/email/content", "digests/email/moderation"}
EMAIL_PARTIALS |= {"digests/email/item", "digests/email/section"}  # rendered once a batch (digest_parts)
# Django's own ways to build or send an email; only core/mail.py may use them.
MAIL_APIS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage", "EmailMultiAlternatives"}


def project_email_templates():
    """Every email template under templates/ (text, HTML or subject, at any depth), by name."""
    found = set()
    for path in (ROOT / "templates").glob("**/email/**/*"):
        if path.suffix in (".txt", ".html"):
            name = path.name.removesuffix(path.suffix).removesuffix("_subject")
            found.add(f"{path.parent.relative_to(ROOT / 'templates')}/{name}")
    return found - EMAIL_PARTIALS


def test_the_list_of_kinds_names_every_email_template_on_disk():
    assert project_email_templates() == {template for template in KINDS.values() if template}


def test_no_app_builds_or_sends_an_email_but_core_mail():
    """A new app that calls send_mail (or builds an EmailMessage) itself fails here, before it ships."""
    offenders = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", "node_modules", "bench", "staticfiles") or relative.parts[0].startswith("."):
            continue
        if relative == Path("core/mail.py") or "migrations" in relative.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(relative))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django.core.mail"):
                used = {alias.name for alias in node.names} & MAIL_APIS  # get_connection is fine: core.mail sends on it
                offenders += [f"{relative}:{node.lineno} imports {name}" for name in sorted(used)]
            elif isinstance(node, ast.Attribute) and node.attr in MAIL_APIS and _is_django_mail(node.value):
                offenders.append(f"{relative}:{node.lineno} calls mail.{node.attr}")
    assert not offenders, "send email through core.mail (Email + send):\n" + "\n".join(offenders)


def _is_django_mail(node):
    return (isinstance(node, ast.Name) and node.id == "mail") or (
        isinstance(node, ast.Attribute) and node.attr == "mail"
    )


@pytest.fixture
def everything_sent(client, settings, django_capture_on_commit_callbacks):
    """Cause one email of every kind, as people do, and return the outbox."""
    settings.SITE_URL = "https://forum.example.org"
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    community = CommunityFactory(name="Computer Science K-8", slug="cs-k8", visibility="members")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    access = access_for(moderator, community)
    member = MembershipFactory(community=community, user=UserFactory(username="rivera")).user
    follower = MembershipFactory(community=community).user
    with django_capture_on_commit_callbacks(execute=True):
        community_services.invite(access=access, email="new.principal@example.com")
        for approve in (True, False):
            request = JoinRequest.objects.create(community=community, user=UserFactory())
            decide = community_services.approve_join_request if approve else community_services.decline_join_request
            decide(access=access, join_request=request)
        thread = ThreadFactory(community=community, author=follower)
        discussion_services.set_following(access=access_for(follower, community), thread=thread, follow=True)
        answer = discussion_services.create_reply(
            access=access_for(moderator, community), thread=thread, body="See [the guide](/c/cs-k8/resources/) @rivera"
        )
        discussion_services.accept_answer(access=access_for(follower, community), thread=thread, post=answer)
        resource = ResourceFactory(community=community, submitted_by=member, status="submitted", approved_at=None)
        resource_services.approve_resource(access=access, resource=resource)
        client.post(
            "/accounts/signup/",
            {
                "email": "new.teacher@example.com",
                "username": "newteacher",
                "password1": "Pencil-Sharpener-81",
                "password2": "Pencil-Sharpener-81",
            },
        )
        client.post("/accounts/password/reset/", {"email": member.email})
        client.force_login(UserFactory(password=PASSWORD))
        unverified = UserFactory()
        client.force_login(unverified)
        client.post("/accounts/email/", {"action_send": "", "email": unverified.email})
    activity = ActivityFactory(
        community=community, title="Site visit", start=datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    )
    RSVPFactory(activity=activity, user=member)
    send_activity_reminders.delay()
    CommunityNoteFactory(community=community, period=current_period().key, body="See [our page](/c/cs-k8/).")
    deliver_batch(period=current_period(), user_ids=[member.pk])
    webhook = Webhook.objects.create(
        community=community,
        url="https://hooks.example.net/cop",
        events=["thread.created"],
        secret="s" * 64,
        created_by=moderator,
        is_active=False,
        disabled_at=timezone.now(),
        consecutive_failures=10,
    )
    webhooks.tell_manager_webhook_disabled(webhook=webhook)
    return django_mail.outbox


def test_every_kind_of_email_is_sent_through_the_mail_helper(everything_sent):
    kinds = [check_message(message, site_url="https://forum.example.org") for message in everything_sent]
    assert set(kinds) == set(KINDS), f"missing: {set(KINDS) - set(kinds)}; unexpected: {set(kinds) - set(KINDS)}"


def test_every_email_links_to_the_configured_site_and_never_to_the_request_host(everything_sent):
    for message in everything_sent:
        html = message.alternatives[0][0]
        assert "https://forum.example.org/" in message.body, message.subject
        assert "testserver" not in message.body + html, message.subject
        assert "127.0.0.1" not in message.body + html, message.subject


def test_allauth_greets_with_the_site_name_not_its_host(everything_sent):
    (confirmation,) = [m for m in everything_sent if m.extra_headers["X-Email-Kind"].startswith("account_email_conf")][
        :1
    ]
    assert f"Hello from {settings.SITE_NAME}!" in confirmation.body
    assert confirmation.subject.startswith(f"[{settings.SITE_NAME}] ")


def test_a_member_can_stop_reply_emails_with_one_click_from_the_email(everything_sent, client):
    from notifications.models import Preference

    (reply,) = [m for m in everything_sent if m.extra_headers["X-Email-Kind"] == "notification_reply"]
    target = reply.extra_headers["List-Unsubscribe"].split(",")[0].strip("<> ")
    path = target.removeprefix("https://forum.example.org")
    person = UserFactory._meta.model.objects.get(email=reply.to[0])
    client.logout()
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert list(Preference.objects.filter(user=person).values_list("kind", "delivery")) == [("reply", "site")]


def test_a_bad_opt_out_link_changes_nothing_and_says_why(client, user):
    for token in ("", "x" * 500, "not-a-token", "%00"):
        response = client.post(reverse("accounts:email_opt_out", kwargs={"token": token or "-"}))
        assert response.status_code == 400
        assert "Nothing was changed" in response.content.decode()
    user.refresh_from_db()
    assert user.email_on_reply
