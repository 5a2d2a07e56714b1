"""What every email the site sends must look like: the checks behind tests/conftest.py's
``_every_email_goes_through_the_mail_helper`` and tests/core/test_every_email_kind.py."""

import re
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from core.mail import KIND_HEADER, ONE_CLICK

# Kinds a person can switch off from the email itself.
OPT_OUT_KINDS = {
    "digest",
    "notification_mention",
    "notification_reply",
    "notification_followed_reply",
    "notification_summary",
}
_URL = re.compile(r"""(?:https?|mailto|webcal):[^\s"'<>)]+""")
_SITE_PATH = re.compile(
    r"""(?:^|[\s("'=])/(?:c|u|accounts|settings|digests|calendar|invitations|search|notifications)/"""
)


def relative_links(text):
    """Site paths in ``text`` that are not part of an absolute URL."""
    return _SITE_PATH.findall(_URL.sub("", text))


def hrefs(html):
    return re.findall(r"""\s(?:href|src)=["']([^"']*)["']""", html)


def check_message(message, *, site_url=None):
    """Raise AssertionError unless ``message`` (a Django EmailMessage) came from core.mail.

    With ``site_url``, account links (allauth's) must point there too.
    """
    kind = message.extra_headers.get(KIND_HEADER)
    assert kind, f"{message.subject!r} was not built by core.mail (no {KIND_HEADER} header)"
    assert message.subject.startswith(settings.EMAIL_SUBJECT_PREFIX), message.subject
    assert message.subject.count(settings.EMAIL_SUBJECT_PREFIX.strip()) == 1, message.subject
    assert parseaddr(message.from_email) == parseaddr(settings.DEFAULT_FROM_EMAIL)
    assert message.extra_headers.get("Message-ID", "").endswith(">")
    assert isinstance(message, EmailMultiAlternatives), f"{kind}: no HTML part"
    html = [content for content, mimetype in message.alternatives if mimetype == "text/html"]
    assert len(html) == 1, f"{kind}: expected one HTML part"
    assert message.body.strip(), f"{kind}: empty text part"
    assert not relative_links(message.body), f"{kind}: relative links in the text part: {relative_links(message.body)}"
    for href in hrefs(html[0]):
        assert href.startswith(("http://", "https://", "mailto:")), f"{kind}: relative link {href!r} in the HTML"
    for url in _URL.findall(message.body) if site_url else ():
        if url.startswith("http") and "/accounts/" in url:
            assert url.startswith(site_url + "/"), f"{kind}: {url} does not point to SITE_URL {site_url}"
    unsubscribe = message.extra_headers.get("List-Unsubscribe")
    if kind in OPT_OUT_KINDS:
        assert unsubscribe, f"{kind}: a person can opt out, so it needs List-Unsubscribe"
    if unsubscribe:
        assert message.extra_headers.get("List-Unsubscribe-Post") == ONE_CLICK
        assert re.match(r"<https?://", unsubscribe), unsubscribe
    return kind
