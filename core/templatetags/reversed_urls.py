"""``{% url %}`` that reverses each distinct link once per process (issue 19).

A template builtin (``TEMPLATES["OPTIONS"]["builtins"]``) replacing Django's ``{% url %}`` with the
same tag whose answers are kept: a reversed URL depends only on the view name, the arguments, the
URLconf, the script prefix, the current app's namespace and the language, and Django's ``reverse``
costs about 16 µs every time (a member's page asks for 30 to 100 links). Only arguments that are
plain strings and integers are kept (a model instance's ``str()`` could change); a name that does
not reverse raises every time, as before.
"""

from django import template
from django.template import defaulttags
from django.utils.html import conditional_escape

from core.links import kept_reverse

register = template.Library()

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
        url = kept_reverse(self.view_name.resolve(context), args, dict(kwargs), current_app=current_app)
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    node.__class__ = KeptURLNode
    return node
