"""The digest email: plain text and HTML (inline styles, tables), absolute links, RFC 8058 headers."""

from email.utils import make_msgid

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from core import mail
from core.links import absolute_url, site_host

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
    return mail.with_prefix(f"Your {digest.period.title} digest")


def email_context(digest, shared_parts=None):
    """The templates' context. ``shared_parts`` (a dict a batch keeps from member to member) holds the
    pieces many members get alike, rendered once (digests/templatetags/digest_parts.py)."""
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
        "shared_parts": shared_parts,
    }


def render_digest(digest, context=None):
    """(subject, text, html) for ``digest``; the same templates the staff preview shows."""
    context = context or email_context(digest)
    text = render_to_string("digests/email/digest.txt", context)
    html = render_to_string("digests/email/digest.html", context)
    return subject_for(digest), text, html


def build_digest_email(digest, shared_parts=None):
    """The digest as a Django message with its Message-ID, built by core.mail like every other email.

    A batch passes the same ``shared_parts`` dict for all its members (see ``email_context``).
    """
    context = email_context(digest, shared_parts)
    subject, text, html = render_digest(digest, context)
    headers = mail.list_headers(kind="digest", unsubscribe_url=context["unsubscribe_url"])
    headers["Message-ID"] = make_msgid(idstring=f"digest-{digest.period.key}", domain=site_host())
    message = mail.message_for(to=digest.user.email, subject=subject, text=text, html=html, headers=headers)
    return message, headers["Message-ID"]
