"""Icons from Bootstrap Icons (npm ``bootstrap-icons``, pinned in package.json), inlined as SVG.

``{% icon "chat" %}`` draws node_modules/bootstrap-icons/icons/chat.svg inside the page: no
request per icon, no icon font to download, nothing the strict CSP has to allow. An icon
next to words is hidden from screen readers; an icon standing alone takes ``label=``.
``{% kind_icon "thread" thread.kind %}`` picks the icon for a kind of thing (KIND_ICONS).

Markup repeated many times on a page (each reply of a thread) draws an icon once:
``{% icon_symbols "reply" "flag" %}`` puts the drawings in the page, hidden, and each
``{% icon_use "reply" %}`` shows one of them (an SVG ``<use>`` of about 150 bytes instead of the
drawing's 0.5-1.6 kB, which on a thread of 200 replies was half the page).
"""

import re
from functools import lru_cache

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

ICONS = settings.BASE_DIR / "node_modules/bootstrap-icons/icons"
_NAME = re.compile(r"^[a-z0-9-]+$")
_INNER = re.compile(r"<svg[^>]*>(.*)</svg>", re.DOTALL)

# One icon per kind of thing, so a kind looks the same on every page and in the style guide.
KIND_ICONS = {
    "thread": {
        "question": "question-circle",
        "success": "trophy",
        "challenge": "exclamation-diamond",
        "lesson": "mortarboard",
        "idea": "lightbulb",
    },
    "resource": {
        "link": "link-45deg",
        "file": "file-earmark-text",
        "lesson_plan": "journal-text",
        "video": "play-btn",
        "article": "newspaper",
        "tool": "tools",
        "other": "box",
    },
    "activity": {
        "chat": "chat-dots",
        "webinar": "camera-video",
        "site_visit": "geo-alt",
        "meeting": "people",
        "deadline": "hourglass-split",
        "other": "calendar-event",
    },
    "rsvp": {"going": "check-circle", "maybe": "question-circle", "not_going": "x-circle"},
}


@lru_cache(maxsize=512)
def _drawing(name):
    if not _NAME.match(name):
        raise ValueError(f"Not an icon name: {name!r}")
    path = ICONS / f"{name}.svg"
    if not path.exists():
        raise FileNotFoundError(f"No icon {name!r} in {ICONS} (is bootstrap-icons installed? `npm ci`)")
    match = _INNER.search(path.read_text())
    if match is None:
        raise ValueError(f"{path} is not an SVG drawing")
    return mark_safe(re.sub(r">\s+<", "><", match.group(1).strip()))  # noqa: S308 - the pinned package's own file


@register.simple_tag
def icon(name, label="", css=""):
    """An inline SVG icon; ``label`` names it for screen readers when no text stands next to it."""
    classes = f"bi bi-{name} {css}".strip()
    named = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="{}" width="1em" height="1em" viewBox="0 0 16 16" fill="currentColor" {}>{}</svg>',
        classes,
        named,
        _drawing(name),
    )


@register.simple_tag
def kind_icon(family, kind, label="", css=""):
    """The icon of one kind of thread, resource, activity or RSVP answer (an unknown kind gets a dot)."""
    return icon(KIND_ICONS[family].get(kind, "dot"), label=label, css=css)


def _symbol_id(name):
    return f"icon-symbol-{name}"


@register.simple_tag
def icon_use(name, label="", css=""):
    """``{% icon %}`` drawn from the page's ``{% icon_symbols %}``: the same element, its drawing by reference."""
    _drawing(name)  # the same checks: a name of the pinned package's icons
    classes = f"bi bi-{name} {css}".strip()
    named = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    return format_html(
        '<svg class="{}" width="1em" height="1em" viewBox="0 0 16 16" fill="currentColor" {}>'
        '<use href="#{}"></use></svg>',
        classes,
        named,
        _symbol_id(name),
    )


@register.simple_tag
def icon_symbols(*names):
    """The drawings ``{% icon_use %}`` shows, once each, in a hidden SVG."""
    symbols = mark_safe(  # noqa: S308 - the pinned package's drawings and checked names
        "".join(
            format_html('<symbol id="{}" viewBox="0 0 16 16">{}</symbol>', _symbol_id(name), _drawing(name))
            for name in names
        )
    )
    return format_html('<svg class="d-none" aria-hidden="true" focusable="false">{}</svg>', symbols)
