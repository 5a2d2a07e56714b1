"""Absolute links to the site: the one place that turns a path into a URL someone can open
from an email, a calendar app or a feed reader.

Every absolute link the site hands out (emails, digests, iCalendar feeds, List-Unsubscribe)
is built here from ``SITE_URL``, so serving the site at another address needs one setting.
"""

import re
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation

MAX_KEPT = 20_000  # distinct links kept per process before starting over
_kept: dict[tuple, str] = {}
_PLAIN = (str, int)

ABSOLUTE_PREFIXES = ("http://", "https://", "mailto:", "webcal://")
_HTML_LINK = re.compile(r'(\s(?:href|src)=")([^"]*)(")')
_MARKDOWN_LINK = re.compile(r"(\]\()([^)\s]+)")


def site_url():
    """``SITE_URL`` without a trailing slash, e.g. ``https://forum.example.org``."""
    return settings.SITE_URL.rstrip("/")


def site_host():
    """The site's host name (no port), for Message-IDs, calendar UIDs and List-Id."""
    return urlsplit(site_url()).hostname or "localhost"


def site_domain():
    """The site's host with its port when it has one (``127.0.0.1:8000``), as the Sites framework stores it."""
    return urlsplit(site_url()).netloc or "localhost"


def absolute_url(path="/"):
    """``path`` (``/c/ct-k8/``, ``c/ct-k8/``, or already absolute) as a link that works from anywhere."""
    path = path or "/"
    if path.startswith(ABSOLUTE_PREFIXES):
        return path
    return urljoin(site_url() + "/", path)


def absolute_reverse(viewname, *args, **kwargs):
    """``reverse()`` then ``absolute_url()``: ``absolute_reverse("communities:directory")``."""
    return absolute_url(reverse(viewname, args=args or None, kwargs=kwargs or None))


def absolutize_html(html):
    """Sanitized HTML with every ``href``/``src`` made absolute (members' links work from a mail client)."""

    def fix(match):
        url = absolute_url(match[2].replace("&amp;", "&")).replace("&", "&amp;")
        return match[1] + url + match[3]

    return _HTML_LINK.sub(fix, html or "")


def absolutize_markdown(text):
    """Markdown source with ``[text](/path)`` links made absolute, for a plain-text part."""
    return _MARKDOWN_LINK.sub(lambda m: m[1] + absolute_url(m[2]), text or "")


def kept_reverse(view_name, args=(), kwargs=None, *, current_app=None):
    """``reverse(view_name, args=args, kwargs=kwargs)``, each distinct link reversed once per process (issue 19).

    A reversed URL depends only on the view name, the arguments, the URLconf, the script prefix, the
    current app's namespace and the language; ``reverse`` costs about 16 µs every time. Only plain
    string and integer arguments are kept (a model instance's ``str()`` could change); anything else, and
    a name that does not reverse, goes to ``reverse`` every time. ``{% url %}`` is this
    (core/templatetags/reversed_urls.py).
    """
    kwargs = kwargs or {}
    if not all(type(value) in _PLAIN for value in (*args, *kwargs.values())):
        return reverse(view_name, args=list(args), kwargs=kwargs, current_app=current_app)
    key = (
        view_name,
        tuple(args),
        tuple(sorted(kwargs.items())),
        current_app,
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        translation.get_language(),
    )
    url = _kept.get(key)
    if url is None:
        url = reverse(view_name, args=list(args), kwargs=kwargs, current_app=current_app)
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = url
    return url
