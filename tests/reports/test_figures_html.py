"""The dashboard's tables and charts, written in Python (reports/templatetags/report_figures.py)."""

import re
import xml.etree.ElementTree as ET

from reports.charts import chart
from reports.health import Table
from reports.templatetags.report_figures import chart_figure, data_table

HOSTILE = '<script>alert("x")</script> & Co'


def svg_of(html):
    return ET.fromstring(re.search(r"<svg.*</svg>", html, re.S).group(0))  # noqa: S314 - our own markup


def test_table_escapes_text_and_shows_a_dash_for_a_missing_figure():
    table = Table(
        slug="t",
        title=HOSTILE,
        header=["District", "Members", "Active %"],
        rows=[[HOSTILE, 7, None], ["Lakeview", 2, 50.0]],
    )
    html = data_table(table)
    assert "<script>" not in html
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co") == 3  # label, caption, row header
    assert '<th scope="col">District</th><th scope="col" class="text-end">Members</th>' in html
    assert (
        '<th scope="row" class="fw-normal">Lakeview</th><td class="text-end">2</td><td class="text-end">50.0</td>'
        in html
    )
    assert '<td class="text-end">7</td><td class="text-end">\u2013</td>' in html


def test_table_shows_the_first_hundred_rows_or_says_it_is_empty():
    many = data_table(Table(slug="t", title="T", header=["Member", "Joined"], rows=[[f"m{i}", i] for i in range(150)]))
    assert many.count("<tr>") == 101  # the header row and 100 rows
    assert ">m99<" in many
    assert ">m100<" not in many
    empty = data_table(Table(slug="t", title="T", header=["Member", "Joined"], rows=[]))
    assert '<td colspan="2" class="text-body-secondary">Nothing in this period.</td>' in empty


def test_bar_chart_is_named_described_and_every_bar_has_its_value():
    table = Table(
        slug="active",
        title="Active members",
        header=[],
        rows=[],
        chart=chart(kind="bar", labels=["Sep 2026", "Oct 2026"], series=[(HOSTILE, [3, None]), ("Riverside", [2, 1])]),
        chart_description="Bars: members per month.",
    )
    html = chart_figure(table)
    svg = svg_of(html)  # well-formed XML, whatever the names say
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "chart-active-title chart-active-desc"
    assert svg.find("title").get("id") == "chart-active-title"
    assert svg.find("title").text == "Active members"
    assert svg.find("desc").text == "Bars: members per month. The numbers are in the table beside the chart."
    bars = [rect.find("title").text for rect in svg.iter("rect")]
    assert bars == [
        f"{HOSTILE}, Sep 2026: 3",
        f"{HOSTILE}, Oct 2026: 0",
        "Riverside, Sep 2026: 2",
        "Riverside, Oct 2026: 1",
    ]
    assert "<figcaption" in html  # two series: a legend
    assert "&lt;script&gt;" in html.split("<figcaption")[1]


def test_line_chart_has_a_point_per_value_and_no_legend_for_one_line():
    table = Table(
        slug="pulse",
        title="Pulse",
        header=[],
        rows=[],
        chart=chart(kind="line", labels=["R1", "R2", "R3"], series=[("Whole community", [3.0, None, 4.25])], y_max=5),
    )
    html = chart_figure(table)
    svg = svg_of(html)
    points = [circle.find("title").text for circle in svg.iter("circle")]
    assert points == ["Whole community, R1: 3.0", "Whole community, R3: 4.25"]
    assert len(svg.find("polyline").get("points").split()) == 2
    assert [t.text for t in svg.iter("text")][:6] == ["0", "1", "2", "3", "4", "5"]
    assert "<figcaption" not in html


def test_no_chart_writes_nothing():
    assert chart_figure(Table(slug="t", title="T", header=[], rows=[])) == ""
