"""``{% post_tree nodes %}``: the thread page's replies through the fragment cache (discussions.fragments)."""

from django import template

from discussions.fragments import render_post_tree

register = template.Library()


@register.simple_tag(takes_context=True)
def post_tree(context, nodes):
    return render_post_tree(context, nodes)
