"""``{% shared_part "digests/email/item.html" item=item show_time=True %}``: a piece of the digest
email that many members get alike, rendered once per batch.

A batch of digests (digests.services.deliver_batch) passes a dict as ``shared_parts`` in the
email's context; a piece is rendered once for each template, time zone and set of values, and
every later member with the same piece gets the same markup. Without that dict (the staff
previews, one digest alone) the piece is simply rendered, as an ``{% include %}`` would.

A piece sees only the values given to it (and ``shared_parts``), never the member's context:
whatever depends on the reader must be passed in, so it is part of the key. Values are keyed
by equality: lists become tuples, objects with a ``cache_key`` give it, anything else must be
hashable (``digests.selectors.Item`` is a frozen dataclass).
"""

from dataclasses import fields

from django import template
from django.db.models import Model
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.fragments import drawn_rows, render_rows
from digests.selectors import Item

register = template.Library()

CALL_ITEM = "digests/includes/call_item.html"
CALL_ITEM_SOURCES = (
    "templates/digests/includes/call_item.html",
    "digests/selectors.py",  # Item: its fields and state_label
    "core/templatetags/dates.py",
    "core/dates.py",
    "core/fragments.py",
    "digests/templatetags/digest_parts.py",
)


ITEM_FIELDS = tuple(field.name for field in fields(Item))


def _shown(item):
    """Every field of a ``digests.selectors.Item``, a model as its class, id and name."""
    values = [getattr(item, name) for name in ITEM_FIELDS]
    return tuple((type(v).__name__, v.pk, str(v)) if isinstance(v, Model) else v for v in values)


@register.simple_tag(takes_context=True)
def call_items(context, items):
    """``{% call_items items %}``: the rows of "What needs me" (call_item.html), each drawn once and kept in
    the cache under everything it shows (core.fragments)."""
    return render_rows(context, template=CALL_ITEM, name="item", rows=items, shown=_shown, sources=CALL_ITEM_SOURCES)


@register.simple_tag(takes_context=True)
def call_groups(context, calls):
    """``{% call_groups calls as drawn %}``: every row of "What needs me" (its overdue duties, then each group of
    ``calls.by_community``) as ``{% call_items %}`` draws them, in one cache round trip for the whole panel:
    ``drawn.overdue`` is the overdue rows' markup, ``drawn.groups`` holds (group, its rows' markup)."""
    groups = calls.by_community
    lists = [calls.overdue, *(group.items for group in groups)]
    rows = [item for items in lists for item in items]
    html = drawn_rows(context, template=CALL_ITEM, name="item", rows=rows, shown=_shown, sources=CALL_ITEM_SOURCES)
    parts, cut = [], 0
    for items in lists:
        # Drawn by the (autoescaping) row template.
        parts.append(mark_safe("".join(html[cut : cut + len(items)])))  # noqa: S308
        cut += len(items)
    return {"overdue": parts[0], "groups": list(zip(groups, parts[1:], strict=True))}


def _key(value):
    if isinstance(value, list | tuple):
        return tuple(_key(v) for v in value)
    return getattr(value, "cache_key", value)


@register.simple_tag(takes_context=True)
def shared_part(context, template_name, **values):
    parts = context.get("shared_parts")
    key = None
    if parts is not None:
        # The active zone (``{% timezone %}``) decides how every date in the piece reads.
        key = (template_name, timezone.get_current_timezone_name(), *sorted((k, _key(v)) for k, v in values.items()))
        markup = parts.get(key)
        if markup is not None:
            return markup
    # Rendered from sanitized fields by an autoescaping template (text pieces turn it off themselves).
    markup = mark_safe(get_template(template_name).render({**values, "shared_parts": parts}))  # noqa: S308
    if key is not None:
        parts[key] = markup
    return markup


NEEDS_ROW = "digests/includes/needs_row.html"
NEEDS_ROW_SOURCES = (
    "templates/digests/includes/needs_row.html",
    "digests/selectors.py",  # Item: its fields, is_overdue and state_label
    "core/templatetags/dates.py",
    "core/dates.py",
    "core/templatetags/icons.py",
    "accounts/templatetags/people.py",
    "accounts/avatars.py",
    "core/fragments.py",
    "digests/templatetags/digest_parts.py",
)


def _needs_shown(row):
    """A row of What needs you: its icon, every field of its item, and its person as ``{% person %}`` shows them."""
    person = row["item"].person
    who = (person.pk, person.username, person.name, person.avatar.name if person.avatar else "") if person else None
    return (row["icon"], _shown(row["item"]), who)


@register.simple_tag(takes_context=True)
def needs_rows(context, rows):
    """``{% needs_rows rows %}``: the rows of a community home's What needs you (needs_row.html), each drawn once
    and kept in the cache under everything it shows (core.fragments)."""
    return render_rows(
        context, template=NEEDS_ROW, name="row", rows=rows, shown=_needs_shown, sources=NEEDS_ROW_SOURCES
    )
