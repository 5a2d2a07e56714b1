"""The page checks themselves: a page with a contrast failure and invalid HTML is reported, a clean one is not."""

import re

import pytest

from tests.browser import audit

pytestmark = pytest.mark.browser

BAD = """<!doctype html><html lang="en"><head><title>Bad</title></head><body hx-headers='{"X-CSRFToken": "t"}'><main>
<h1>Bad page</h1>
<p style="color:#92befe;background:#0d6efd">Low contrast text</p>
<span><form action="/"><button type="submit">Go</button></form></span>
<form action="/"><input type="submit" name="" value="Filter"></form>
<time datetime="2026-07-14T17:00:00.123456+00:00">Jul 14</time>
<div hx-get="/x">a bare hx-* attribute is an error</div>
</main></body></html>"""
# Readable in the light scheme, grey on near-black in the dark one.
DARK_ONLY = """<!doctype html><html lang="en"><head><title>Dark</title><style>
@media (prefers-color-scheme: dark) { body { background: #111; } p { color: #444; } }
</style></head><body><main><h1>Dark only</h1><p>Readable only in the light scheme.</p></main></body></html>"""
GOOD = """<!doctype html><html lang="en"><head><title>Good</title></head><body><main>
<h1>Good page</h1><p>Readable text.</p><time datetime="2026-07-14T17:00:00-05:00">Tue, Jul 14, 2026, 5:00 PM CDT</time>
</main></body></html>"""


@pytest.fixture
def checked(browser, nu_checker):
    def check(html):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.audit = audit.PageAudit(viewport="desktop")
        page.audit.attach(page)
        page.route("http://checks.test/", lambda route: route.fulfill(status=200, content_type="text/html", body=html))
        page.goto("http://checks.test/")
        problems = page.audit.finish(page, nu_checker, {})
        summary = page.audit.summary("self-test")
        context.close()
        return problems, summary

    return check


def test_a_bad_page_is_reported_by_axe_and_nu(checked):
    problems, summary = checked(BAD)
    text = "\n".join(problems)
    assert "axe serious color-contrast" in text
    assert "not allowed as child of element “span”" in text
    assert "A fraction of a second must be one, two, or three digits" in text
    assert "Bad value “” for attribute “name”" in text
    assert "Attribute “hx-get” not allowed" in text
    assert "Attribute “hx-headers” not allowed" in text  # nothing is tolerated any more
    assert summary["nu_tolerated"] == 0
    assert summary["axe_pages"] == 4  # the page on screen and the document shown again, each light and dark


def test_a_contrast_failure_in_the_dark_scheme_alone_is_reported(checked):
    problems, _summary = checked(DARK_ONLY)
    text = "\n".join(problems)
    assert "axe serious color-contrast" in text
    assert "(dark)" in text
    assert "(light)" not in text


def test_a_clean_page_passes(checked):
    problems, summary = checked(GOOD)
    assert problems == []
    assert (summary["nu_errors"], summary["nu_pages"]) == (0, 1)


def test_the_dark_scheme_changes_only_colours():
    """audit.py runs only axe's colour rules in the second scheme; that is sound while design.css's
    dark blocks set nothing but colours (no display, size, spacing or content)."""
    css = (audit.ROOT / "static/css/design.css").read_text()
    colour_props = {
        "color",
        "color-scheme",
        "background",
        "background-color",
        "border-color",
        "outline-color",
        "text-decoration-color",
        "caret-color",
        "accent-color",
        "fill",
        "stroke",
        "box-shadow",
        "filter",  # Bootstrap's close button is inverted in the dark: a colour change
    }
    blocks = []
    for start in [m.end() for m in re.finditer(r"@media\s*\(prefers-color-scheme:\s*dark\)\s*\{", css)]:
        depth, i = 1, start
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        blocks.append(css[start : i - 1])
    assert len(blocks) == 2, "design.css's dark blocks were counted to check them"
    wrong = []
    for block in blocks:
        block = re.sub(r"/\*.*?\*/", "", block, flags=re.S)
        for prop, value in re.findall(r"([-\w]+)\s*:\s*([^;{}]+);", block):
            if prop.startswith("--"):
                if not prop.endswith("shadow") and re.search(r"\d(px|rem|em|ch|vw|vh|%)\b", value):
                    wrong.append(f"{prop}: {value}")
            elif prop not in colour_props and not re.fullmatch(r"border(-\w+)?-color", prop):
                wrong.append(f"{prop}: {value}")
    assert not wrong, f"the dark scheme sets more than colours, so axe must run every rule in it: {wrong}"
