"""``{% thread_rows threads %}``: thread list rows through the fragment cache (discussions.fragments)."""

from django import template

from discussions.fragments import render_thread_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def thread_rows(context, threads):
    return render_thread_rows(context, threads)
