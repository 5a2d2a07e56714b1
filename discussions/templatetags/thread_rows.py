"""``{% thread_rows threads %}`` and ``{% discussion_hits hits %}``: thread list rows and search results
through the fragment cache (discussions.fragments)."""

from django import template

from discussions.fragments import render_hits, render_thread_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_rows(context, threads):
    return render_thread_rows(context, threads)


@register.simple_tag(takes_context=True)
def discussion_hits(context, hits):
    return render_hits(context, hits)
