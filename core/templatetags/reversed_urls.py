"""``{% url %}`` that reverses each distinct link once per process (issue 19).

A template builtin (``TEMPLATES["OPTIONS"]["builtins"]``) replacing Django's ``{% url %}`` with the
same tag whose answers are kept: a reversed URL depends only on the view name, the arguments, the
URLconf, the script prefix, the current app's namespace and the language, and Django's ``reverse``
costs about 16 µs every time (a member's page asks for 30 to 100 links). Only arguments that are
plain strings and integers are kept (a model instance's ``str()`` could change); a name that does
not reverse raises every time, as before.
"""

from django import template
from django.conf import settings
from django.template import defaulttags
from django.urls import get_script_prefix, get_urlconf
from django.utils import translation
from django.utils.html import conditional_escape

register = template.Library()

MAX_KEPT = 20_000  # distinct links kept per process before starting over
_kept: dict[tuple, str] = {}
_PLAIN = (str, int)


class KeptURLNode(defaulttags.URLNode):
    def render(self, context):
        if self.asvar:
            return super().render(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((k, v.resolve(context)) for k, v in self.kwargs.items()))
        if not all(type(value) in _PLAIN for value in (*args, *(v for _, v in kwargs))):
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        view_name = self.view_name.resolve(context)
        key = (
            view_name,
            args,
            kwargs,
            current_app,
            get_urlconf() or settings.ROOT_URLCONF,
            get_script_prefix(),
            translation.get_language(),
        )
        url = _kept.get(key)
        if url is None:
            url = self._reverse(view_name, args, kwargs, current_app)
            if len(_kept) >= MAX_KEPT:
                _kept.clear()
            _kept[key] = url
        return conditional_escape(url) if context.autoescape else url

    @staticmethod
    def _reverse(view_name, args, kwargs, current_app):
        from django.urls import reverse

        return reverse(view_name, args=list(args), kwargs=dict(kwargs), current_app=current_app)


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = KeptURLNode
    return node
