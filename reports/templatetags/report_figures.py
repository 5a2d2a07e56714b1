"""The dashboard's data tables and SVG charts, written in Python rather than as included templates.

The health dashboard shows about 1,500 cells and 200 SVG shapes; through ``{% include %}`` and
``{% for %}`` each cell cost a variable lookup, a filter and a localisation (about 25 ms of CPU per
page, a fifth of it). Here each cell is one ``escape``; the markup is the same as the templates
wrote (tests/reports/test_figures_html.py holds it to that).
"""

from django import template
from django.conf import settings
from django.utils.formats import localize
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

SHOWN_ROWS = 100
DASH = "\u2013"  # an en dash, as the templates showed for a figure that is not there


def _number_text():
    """A function that writes a cell's value as ``{{ value }}`` does (localised numbers), cheaply:
    an int needs no localisation unless thousands are grouped, text only escaping."""
    group = settings.USE_THOUSAND_SEPARATOR

    def text(value):
        if isinstance(value, str):
            return escape(value)
        if type(value) is int and not group:
            return str(value)
        return escape(localize(value))

    return text


@register.simple_tag
def data_table(table):
    """``table`` as an accessible HTML table: a caption, column headers, a row header per row; the
    first ``SHOWN_ROWS`` rows (the CSV has them all); a dash for a figure that is not there."""
    text = _number_text()
    title = escape(table.title)
    header = table.header
    head = "".join(
        f'<th scope="col">{text(h)}</th>' if i == 0 else f'<th scope="col" class="text-end">{text(h)}</th>'
        for i, h in enumerate(header)
    )
    body = []
    for row in table.rows[:SHOWN_ROWS]:
        cells = [f'<tr><th scope="row" class="fw-normal">{text(row[0])}</th>']
        cells.extend(f'<td class="text-end">{DASH if cell is None else text(cell)}</td>' for cell in row[1:])
        cells.append("</tr>")
        body.append("".join(cells))
    if not body:
        body.append(f'<tr><td colspan="{len(header)}" class="text-body-secondary">Nothing in this period.</td></tr>')
    return mark_safe(  # noqa: S308 - every value above went through escape
        f'<div class="table-responsive" tabindex="0" role="region" aria-label="{title}: table">'
        f'<table class="table table-sm table-striped align-middle small">'
        f'<caption class="visually-hidden">{title}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


@register.simple_tag
def chart_figure(table):
    """``table.chart`` (from ``reports.charts.chart``) as an SVG figure, named by the table's title
    and described (``role="img"``, ``<title>``, ``<desc>``), a ``<title>`` on every bar or point, and
    a legend when there is more than one series; nothing when the table has no chart."""
    c = table.chart
    if not c:
        return ""
    text = _number_text()
    slug = escape(table.slug)
    parts = [
        f'<figure class="mb-2"><svg viewBox="0 0 {c["width"]} {c["height"]}" width="100%" role="img" '
        f'aria-labelledby="chart-{slug}-title chart-{slug}-desc" class="report-chart">'
        f'<title id="chart-{slug}-title">{escape(table.title)}</title>'
        f'<desc id="chart-{slug}-desc">{escape(table.chart_description)} '
        f"The numbers are in the table beside the chart.</desc>"
    ]
    left, right, tick_x = c["left"], c["right"], c["left"] - 6
    for ty, label in c["y_ticks"]:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{ty}" y2="{ty}" stroke="#ccc" stroke-width="1"/>'
            f'<text x="{tick_x}" y="{ty}" font-size="11" text-anchor="end" dominant-baseline="middle" '
            f'fill="#333">{text(label)}</text>'
        )
    label_y = c["label_y"]
    for tx, label in c["x_ticks"]:
        parts.append(
            f'<text x="{tx}" y="{label_y}" font-size="11" text-anchor="middle" fill="#333">{text(label)}</text>'
        )
    for s in c["series"]:
        name, color = escape(s["name"]), escape(s["color"])
        if c["kind"] == "bar":
            parts.extend(
                f'<rect x="{b["x"]}" y="{b["y"]}" width="{b["w"]}" height="{b["h"]}" fill="{color}">'
                f"<title>{name}, {text(b['label'])}: {text(0 if b['value'] is None else b['value'])}</title></rect>"
                for b in s["bars"]
            )
        else:
            dash = f' stroke-dasharray="{escape(s["dash"])}"' if s["dash"] else ""
            parts.append(
                f'<polyline points="{escape(s["points"])}" fill="none" stroke="{color}" stroke-width="2.5"{dash}/>'
            )
            parts.extend(
                f'<circle cx="{x}" cy="{y}" r="4" fill="{color}">'
                f"<title>{name}, {text(label)}: {text(v)}</title></circle>"
                for x, y, v, label in s["dots"]
            )
    parts.append("</svg>")
    if len(c["series"]) > 1:
        legend = "".join(
            f'<span><span aria-hidden="true" style="display:inline-block;width:12px;height:12px;'
            f'background:{escape(s["color"])}"></span> {escape(s["name"])}</span>'
            for s in c["series"]
        )
        parts.append(f'<figcaption class="small d-flex flex-wrap gap-3">{legend}</figcaption>')
    parts.append("</figure>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above went through escape
