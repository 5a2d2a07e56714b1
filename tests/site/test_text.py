import re

from core.text import render_markdown, sanitize_html

TAG_WITH_HANDLER = re.compile(r"<[a-z][^>]*\son\w+\s*=", re.I)


def test_markdown_renders_formatting_lists_and_tables():
    html = render_markdown("**bold** and *it*\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<strong>bold</strong>" in html
    assert "<em>it</em>" in html
    assert "<li>one</li>" in html
    assert "<table>" in html


def test_raw_html_in_markdown_is_shown_as_text_not_run():
    html = render_markdown('<script>alert(1)</script><img src=x onerror="alert(1)"> hi')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_the_sanitizer_removes_scripts_and_event_handlers():
    html = sanitize_html('<p onclick="x()">hi</p><script>alert(1)</script><img src="a.png" onerror="alert(1)">')
    assert "<script" not in html
    assert "alert(1)" not in html
    assert not TAG_WITH_HANDLER.search(html)
    assert "<p>hi</p>" in html


def test_javascript_links_are_neutralised():
    html = render_markdown("[click](javascript:alert(1))")
    assert 'href="javascript' not in html
    assert 'href="javascript' not in sanitize_html('<a href="javascript:alert(2)">x</a>')


def test_links_get_nofollow_ugc_noopener():
    html = render_markdown("[lesson](https://example.org/lesson)")
    assert 'href="https://example.org/lesson"' in html
    assert 'rel="nofollow ugc noopener"' in html


def test_mentions_are_linked_in_text_but_not_in_code_or_links():
    from core.text import render_markdown

    source = (
        "Ask @kim. Not `@kim` in code, nor [@kim](https://example.org), nor kim@example.org.\n\n    @kim in a block"
    )
    html, linked = render_markdown(source, mentions={"kim": "/u/kim/"})
    assert html.count('href="/u/kim/"') == 1
    assert "<code>@kim</code>" in html
    assert "kim@example.org" in html
    assert linked == {"kim"}
    html, linked = render_markdown("Only `@kim` here", mentions={"kim": "/u/kim/"})
    assert linked == set()
    assert "/u/kim/" not in html
