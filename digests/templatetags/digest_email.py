"""Filters for the digest email: links in members' text must work from a mail client."""

import re
from urllib.parse import urljoin

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

register = template.Library()

_HTML_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)")
_ABSOLUTE = ("http://", "https://", "mailto:")


def _absolute(url):
    url = url.replace("&amp;", "&")
    return url if url.startswith(_ABSOLUTE) else urljoin(settings.SITE_URL + "/", url)


@register.filter
def absolute_links(html):
    """Sanitized HTML (a ``*_html`` field) with every href/src made absolute against SITE_URL."""
    return mark_safe(_HTML_LINK.sub(lambda m: m[1] + _absolute(m[2]).replace("&", "&amp;") + m[3], html or ""))  # noqa: S308 - input is sanitized HTML


@register.filter
def absolute_markdown_links(text):
    """Markdown source with ``[text](/path)`` links made absolute, for the plain-text part."""
    return _MARKDOWN_LINK.sub(lambda m: m[1] + _absolute(m[2]), text or "")
