"""``{% post_tree nodes %}``: the thread page's replies, and ``{% reply_form parent_id form %}`` its reply forms,
through the fragment cache (discussions.fragments)."""

from django import template

from discussions.fragments import render_post_tree, render_reply_form

register = template.Library()


@register.simple_tag(takes_context=True)
def post_tree(context, nodes):
    return render_post_tree(context, nodes)


@register.simple_tag(takes_context=True)
def reply_form(context, parent_id, form):
    return render_reply_form(context, parent_id, form)
