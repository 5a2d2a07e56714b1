"""The site header's member part, drawn once per process for each member and bell count (issue 19).

``{% member_nav %}`` (templates/base.html) draws ``includes/member_nav.html``: the bell, the member's
links, their picture and name, and the log-out form. It is on every page a member sees, and drawing
it took about a millisecond of CPU. What it shows depends only on the member's id, username, display
name, picture, staff flag and unread count, the language and the templates' sources, so it is kept in
this process's memory under a digest of those (``core.localcache``: a changed name or a new
notification is a new key, nothing is invalidated) and drawn again only when one of them changes.
The log-out form's CSRF field differs on every request: it is drawn in the place of a fixed marker.
"""

import hashlib

from django import template
from django.middleware.csrf import get_token
from django.template.loader import get_template
from django.utils import translation
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.fragments import sources_digest
from core.localcache import LocalCache

register = template.Library()

TEMPLATE = "includes/member_nav.html"
SOURCES = (
    "templates/includes/member_nav.html",
    "templates/notifications/includes/bell.html",
    "core/templatetags/chrome.py",
    "core/templatetags/icons.py",
    "accounts/templatetags/people.py",
    "accounts/avatars.py",
)
CSRF_SLOT = mark_safe("<!--csrf-->")  # a fixed marker where the request's own CSRF field goes
_kept = LocalCache(max_chars=2_000_000)  # about a thousand members' headers


def _key(user, count) -> str:
    shown = (
        sources_digest(SOURCES),
        translation.get_language(),
        user.pk,
        user.username,
        user.name,
        user.avatar.name if user.avatar else "",
        bool(user.is_staff),
        count,
    )
    return "member-nav:" + hashlib.blake2b(repr(shown).encode(), digest_size=16).hexdigest()


@register.simple_tag(takes_context=True)
def member_nav(context):
    user = context["user"]
    count = context.get("unread_notifications")
    count = count() if callable(count) else count
    key = _key(user, count)
    html = _kept.get_many([key]).get(key)
    if html is None:
        drawn = get_template(TEMPLATE).template  # type: ignore[attr-defined] # the engine's Template
        html = drawn.render(context.new({"user": user, "unread_notifications": count, "csrf_slot": CSRF_SLOT}))
        _kept.set_many({key: html})
    request = context.get("request")
    field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    return mark_safe(html.replace(CSRF_SLOT, field, 1))  # noqa: S308 - drawn by the (autoescaping) template
