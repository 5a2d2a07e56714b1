"""How a person appears on a page: ``{% avatar person "sm" %}`` and ``{% person person "sm" %}``.

Both use only fields a row already has (``avatar``, ``display_name``, ``username``): load the
person with ``select_related`` and no page makes a query per row. ``person`` may be None (an
account that was deleted): a neutral circle and "Former member".

- ``{% avatar user "sm" %}``: the picture, or initials on the person's colour (drawn by CSS
  from ``data-initials``, so they never join the text around them: "Led by Ana Rivera", not "ARAna Rivera"). Decorative
  (``alt=""``, ``aria-hidden``) because the name is shown next to it; ``labelled=True`` when it
  stands alone, and it is then named (and titled) "Display name (@username)".
- ``{% person user "sm" %}``: avatar and display name, linked to the profile, with the
  @username on hover (``title``). ``link=False`` for the name without a link.
"""

from django import template
from django.utils.html import format_html

from accounts import avatars
from core import links

register = template.Library()

SIZES = {"xs": 20, "sm": 28, "md": 40, "lg": 96}
FORMER_MEMBER = "Former member"


@register.simple_tag
def avatar(person, size="sm", labelled=False):
    pixels = SIZES.get(size, SIZES["sm"])
    classes = f"avatar avatar-{size if size in SIZES else 'sm'}"
    if person is None:
        if labelled:
            return format_html(
                '<span class="{} avatar-none" role="img" aria-label="{}">?</span>', classes, FORMER_MEMBER
            )
        return format_html('<span class="{} avatar-none" aria-hidden="true"></span>', classes)
    name = person.name
    label = f"{name} (@{person.username})"
    url = avatars.picture_path(person)
    if url:
        if labelled:
            return format_html(
                '<img class="{}" src="{}" alt="{}" title="{}" width="{}" height="{}" loading="lazy" decoding="async">',
                classes,
                url,
                label,
                label,
                pixels,
                pixels,
            )
        return format_html(
            '<img class="{}" src="{}" alt="" width="{}" height="{}" loading="lazy" decoding="async">',
            classes,
            url,
            pixels,
            pixels,
        )
    classes = f"{classes} {avatars.colour_class(person.username)}"
    if labelled:
        return format_html(
            '<span class="{}" role="img" aria-label="{}" title="{}" data-initials="{}"></span>',
            classes,
            label,
            label,
            avatars.initials(name),
        )
    return format_html(
        '<span class="{}" aria-hidden="true" data-initials="{}"></span>', classes, avatars.initials(name)
    )


@register.simple_tag
def person(person, size="sm", link=True):
    picture = avatar(person, size)
    if person is None:
        return format_html('<span class="person">{}<span class="person-name">{}</span></span>', picture, FORMER_MEMBER)
    if link:
        return format_html(
            '<a class="person" href="{}" title="@{}">{}<span class="person-name">{}</span></a>',
            person.get_absolute_url(),
            person.username,
            picture,
            person.name,
        )
    return format_html(
        '<span class="person" title="@{}">{}<span class="person-name">{}</span></span>',
        person.username,
        picture,
        person.name,
    )


# In an email the style sheet is gone (mail clients drop it): sizes and colours go inline.
EMAIL_FONT_SIZES = {"xs": 10, "sm": 12, "md": 16, "lg": 36}
_EMAIL_SHAPE = "display:inline-block;width:{px}px;height:{px}px;border-radius:50%;vertical-align:middle;border:0;"


@register.simple_tag
def email_avatar(person, size="sm"):
    """``{% email_avatar person "xs" %}`` for emails: the picture at an absolute address (core.links), or
    the initials as text on the person's colour, inline styles only. Decorative: the name is always beside it."""
    pixels = SIZES.get(size, SIZES["sm"])
    shape = _EMAIL_SHAPE.format(px=pixels)
    url = avatars.picture_path(person)
    if url:
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="" style="{}">', links.absolute_url(url), pixels, pixels, shape
        )
    if person is None:
        background, text = "#e7e5e4", ""
    else:
        background, text = avatars.PALETTE[avatars.colour_index(person.username)], avatars.initials(person.name)
    return format_html(
        '<span aria-hidden="true" style="{}background-color:{};color:{};font-size:{}px;line-height:{}px;'
        'font-weight:bold;text-align:center;font-family:Arial,Helvetica,sans-serif;">{}</span>',
        shape,
        background,
        avatars.TEXT_COLOUR,
        EMAIL_FONT_SIZES.get(size, EMAIL_FONT_SIZES["sm"]),
        pixels,
        text,
    )
