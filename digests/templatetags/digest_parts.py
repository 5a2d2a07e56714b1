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

from django import template
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe

register = template.Library()


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
