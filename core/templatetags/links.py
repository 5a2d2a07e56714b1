"""Template side of core.links: ``{% load links %}`` then ``{{ path|absolute }}``,
``{% absolute_url 'communities:directory' %}``, ``{{ post.body_html|absolute_links }}``."""

from django import template
from django.utils.safestring import mark_safe

from core import links

register = template.Library()


@register.filter
def absolute(path):
    """A path (or an object with ``get_absolute_url``) as an absolute link."""
    if hasattr(path, "get_absolute_url"):
        path = path.get_absolute_url()
    return links.absolute_url(str(path or "/"))


@register.simple_tag
def absolute_url(viewname, *args, **kwargs):
    """``{% url %}`` that answers an absolute link, for emails."""
    return links.absolute_reverse(viewname, *args, **kwargs)


@register.filter
def absolute_links(html):
    """Sanitized HTML (a ``*_html`` field) with every href/src made absolute."""
    return mark_safe(links.absolutize_html(html))  # noqa: S308 - input is sanitized HTML; only URLs change


@register.filter
def absolute_markdown_links(text):
    """Markdown source with ``[text](/path)`` links made absolute, for the plain-text part."""
    return links.absolutize_markdown(text)
