"""The digest email: plain text and HTML (inline styles, tables), absolute links, RFC 8058 headers."""

from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from digests.selectors import absolute_url

UNSUBSCRIBE_SALT = "digests.unsubscribe"


def unsubscribe_token(user):
    """A signed token naming ``user``: whoever holds it may turn their digest off, nothing else."""
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def user_id_from_token(token, *, max_age):
    """The user id a token names. Raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=max_age)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("token without a user")
    return data["u"]


def unsubscribe_url(user):
    return absolute_url(reverse("digests:unsubscribe", kwargs={"token": unsubscribe_token(user)}))


def subject_for(digest):
    return f"Your {digest.period.title} digest · {settings.SITE_NAME}"


def email_context(digest):
    return {
        "digest": digest,
        "user": digest.user,
        "period": digest.period,
        "calls": digest.calls,
        "sections": digest.sections,
        "SITE_NAME": settings.SITE_NAME,
        "site_url": absolute_url("/"),
        "settings_url": absolute_url(reverse("accounts:settings")),
        "unsubscribe_url": unsubscribe_url(digest.user),
    }


def render_digest(digest, context=None):
    """(subject, text, html) for ``digest``; the same templates the staff preview shows."""
    context = context or email_context(digest)
    text = render_to_string("digests/email/digest.txt", context)
    html = render_to_string("digests/email/digest.html", context)
    return subject_for(digest), text, html


def build_digest_email(digest):
    context = email_context(digest)
    subject, text, html = render_digest(digest, context)
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    message_id = make_msgid(idstring=f"digest-{digest.period.key}", domain=domain)
    headers = {
        "List-Unsubscribe": (
            f"<{context['unsubscribe_url']}>, <mailto:{settings.DIGEST_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>"
        ),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{settings.SITE_NAME} digest <digest.{domain}>",
        "Auto-Submitted": "auto-generated",
        "Precedence": "bulk",
        "Message-ID": message_id,
    }
    message = EmailMultiAlternatives(subject=subject, body=text, to=[digest.user.email], headers=headers)
    message.attach_alternative(html, "text/html")
    return message, message_id
