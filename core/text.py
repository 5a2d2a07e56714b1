"""User text: Markdown rendered by markdown-it-py, then cleaned by nh3 (Ammonia).

Every app stores the rendered HTML beside the source at save time
(``body`` + ``body_html``) so pages never render Markdown per view.
"""

import re
from functools import cache

# @username: not inside a word, an email address or a path.
MENTION_RE = re.compile(r"(?<![\w@/.`])@([A-Za-z0-9_][\w.+-]{0,149})")


def _link_mentions(state):
    """Core rule: turn @username in plain text into a profile link (never in code, URLs or existing links).

    ``env["mentions"]`` maps lower-case usernames to profile URLs; the usernames linked are
    added to ``env["mentioned"]``.
    """
    people = state.env.get("mentions")
    if not people:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, in_link = [], 0
        for token in block.children:
            in_link += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and not in_link and "@" in token.content:
                children.extend(_split_mentions(token.content, people, state.env["mentioned"]))
            else:
                children.append(token)
        block.children = children


def _split_mentions(text, people, mentioned):
    from markdown_it.token import Token

    tokens, start = [], 0
    for match in MENTION_RE.finditer(text):
        name = match.group(1).rstrip(".")
        url = people.get(name.lower())
        if url is None:
            continue
        if match.start() > start:
            tokens.append(_text(text[start : match.start()]))
        link = Token("link_open", "a", 1)
        link.attrs = {"href": url}
        tokens += [link, _text(f"@{name}"), Token("link_close", "a", -1)]
        mentioned.add(name.lower())
        start = match.start() + 1 + len(name)
    if start < len(text):
        tokens.append(_text(text[start:]))
    return tokens


def _text(content):
    from markdown_it.token import Token

    token = Token("text", "", 0)
    token.content = content
    return token


@cache
def _markdown():
    """The parser, built on first use: markdown-it-py and nh3 are imported by the first request that writes
    text, so a web worker that only serves pages (the HTML is stored at save time) never loads them."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(["table", "strikethrough"])
    parser.core.ruler.push("mentions", _link_mentions)
    return parser


ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td",
    "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html):
    """Strip everything but safe formatting; links get rel="nofollow ugc noopener"."""
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow ugc noopener",
    )


def render_markdown(text, *, mentions=None):
    """Markdown source to safe HTML (a plain ``str``; mark it safe only in a template).

    With ``mentions`` (lower-case username -> profile URL), @username in the text
    becomes a link; returns ``(html, usernames linked)`` then.
    """
    env = {"mentions": mentions or {}, "mentioned": set()}
    html = sanitize_html(_markdown().render(text or "", env))
    return (html, env["mentioned"]) if mentions is not None else html
