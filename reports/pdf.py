"""PDF documents (certificates, impact reports) rendered from templates with WeasyPrint."""

from django.template.loader import render_to_string


def render_pdf(template, context, *, base_url):
    from weasyprint import HTML

    html = render_to_string(template, context)
    return HTML(string=html, base_url=base_url).write_pdf()
