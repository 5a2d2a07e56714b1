"""How allauth behaves here: its account emails go through core.mail, and failed logins
are counted per account and address.

Account emails (confirmation, password reset, ...) go through core.mail.

They get the site's subject prefix, an HTML part, links built by core.links from SITE_URL
(not from whatever host the request came in on), and go out through the mail queue: the
signup or password-reset page never waits for SMTP, so an SMTP server that is down delays
the email instead of answering 500 or leaving a half-made account.
"""

import uuid
from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core.internal.ratelimit import get_ip
from django.conf import settings

from core import links, mail


def _on_site(url):
    """An absolute URL allauth built from the request's host, rebuilt on SITE_URL."""
    if not isinstance(url, str) or not url.startswith(("http://", "https://", "/")):
        return url
    bits = urlsplit(url)
    return links.absolute_url(bits.path + (f"?{bits.query}" if bits.query else ""))


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request, **credentials):
        """Count failed logins per account and client address, not per account alone.

        allauth locks an account after ACCOUNT_RATE_LIMITS["login_failed"]'s per-key limit;
        keyed on the address as well, someone guessing a teacher's password locks out only
        themselves, and the teacher still logs in from school.
        """
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{get_ip(request)}"

    def format_email_subject(self, subject):
        return mail.with_prefix(subject)

    def send_mail(self, template_prefix, email, context):
        """Render allauth's templates into one core.mail Email and queue it (sent after commit)."""
        request = allauth_context.request
        # The site as SITE_URL/SITE_NAME say (core keeps the Sites row equal to them on migrate).
        site = SimpleNamespace(domain=links.site_domain(), name=settings.SITE_NAME)
        ctx = {"request": request, "email": email, "current_site": site}
        ctx.update({name: _on_site(value) if name.endswith("_url") else value for name, value in context.items()})
        message = self.render_mail(template_prefix, email, ctx)
        name = template_prefix.rsplit("/", 1)[-1]
        html = next((body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"), None)
        text = message.body
        if html is None:
            html = mail.render_text_as_html(subject=message.subject, text=text)
        email_to_send = mail.Email(
            key=f"account:{name}:{uuid.uuid4().hex}",
            kind=f"account_{name}",
            to=email,
            subject=message.subject,
            text=text.strip() + "\n",
            html=html,
            headers=mail.list_headers(kind=f"account_{name}"),
        )
        mail.queue([email_to_send])
