"""The thread page's replies, each rendered once and kept in the cache (issue 19).

Rendering ``discussions/includes/post.html`` through the Django template engine was most
of a member's thread page (about 60% of 20 posts, more for 200). ``render_post_tree``
renders each reply's own markup (without its replies, which go in ``children_slot``) once
and keeps it in the cache under a key that is a digest of **everything that markup
shows**: the reply's fields and author, how it sits in the tree, the viewer's rights that
change its buttons (may post, may moderate, may accept, is its author, marked it helpful),
the page number, the time zone and language, and the source of the templates and tags
that draw it. So nothing is ever invalidated: an edit, a deletion, hiding, restoring, a
new helpful mark or an accepted answer makes a different key, and the page shows the new
text at once; stale entries expire.

The markup is rendered in a context that holds only those values (the viewer is reduced
to their id and rights, the thread and community to the few fields the template reads),
so what is cached cannot depend on anything the key leaves out, and an entry is only
ever read for a reply of a thread the view has already shown to this viewer (members-only
content never reaches another page or person). The CSRF token, the one per-request part,
is a placeholder in the cache and is put in per page. When Redis is unreachable the
cache is skipped (never the database fallback), and the page renders as before.
"""

import hashlib
from types import SimpleNamespace

from django.core.cache import cache
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_STRINGS_KEYS, timesince

from core.cache import cache_is_degraded
from core.fragments import drawn_rows, render_rows, sources_digest
from core.localcache import LocalCache
from discussions.forms import new_submission

TEMPLATE = "discussions/includes/post.html"
# Templates and Python that draw a reply: a deploy that changes any of them changes every key.
SOURCES = (
    "templates/discussions/includes/post.html",
    "templates/discussions/includes/helpful_button.html",
    "accounts/templatetags/people.py",
    "accounts/avatars.py",
    "core/templatetags/icons.py",
    "core/templatetags/dates.py",
    "core/dates.py",
    "discussions/fragments.py",
)
SECONDS = 6 * 3600
# This process's copy of recently drawn replies (keys never go stale): about 8 pages of 200 replies.
LOCAL = LocalCache(max_chars=4_000_000)
CHILDREN = mark_safe("<!--replies-->")  # a fixed marker where the replies go, no user text
CSRF_PLACEHOLDER = "csrfplaceholder0post0fragment"
CSRF_INPUT = f'<input type="hidden" name="csrfmiddlewaretoken" value="{CSRF_PLACEHOLDER}">'


def post_url_prefix(*, community, thread) -> str:
    """``/c/<slug>/t/<id>/p/``: every link to a reply of ``thread`` is this + ``<post id>/<action>/``
    (the URLs in discussions/urls.py), so a page reverses once, not once per link."""
    return reverse("discussions:thread", kwargs={"slug": community.slug, "thread_id": thread.pk}) + "p/"


def _author(person):
    if person is None:
        return None
    # The stored name as loaded (or the FieldFile it became), without the file descriptor's wrapping.
    try:
        avatar = person.__dict__["avatar"]
    except KeyError:  # deferred: the descriptor loads it
        avatar = person.avatar
    return (person.pk, person.username, person.name, getattr(avatar, "name", avatar) or "")


def _post_author(person, authors):
    """_author(person) as text, once per person a page (a page's replies share a few authors)."""
    if person is None:
        return "None"
    shown = authors.get(person.id)
    if shown is None:
        avatar = person.__dict__.get("avatar")  # the stored name (or the FieldFile it became), if loaded
        if avatar is None:
            shown = repr(_author(person))
        else:
            shown = repr((person.id, person.username, person.name, getattr(avatar, "name", avatar) or ""))
        authors[person.id] = shown
    return shown


def _key(node, shared, viewer_id, authors) -> str:
    """``shared`` is a blake2b of what every reply of the page shares; this reply's values go after it."""
    post = node.post
    in_reply_to = node.in_reply_to
    parts = (
        post.id,
        post.created_at.isoformat(),
        post.edited_at.isoformat() if post.edited_at else "",
        post.is_hidden,
        post.is_deleted,
        post.hidden_reason,
        post.helpful_count,
        bool(getattr(post, "marked", False)),
        post.author_id == viewer_id,
        node.visible_depth,
        (in_reply_to.name,) if in_reply_to else None,
    )
    digest = shared.copy()
    digest.update(repr(parts).encode())  # a tuple's repr ends where it ends: the author and the text follow
    digest.update(_post_author(post.author, authors).encode())
    digest.update(post.body_html.encode())
    return "post-html:" + digest.hexdigest()


def _flatten(nodes, into):
    for node in nodes:
        into.append(node)
        _flatten(node.children, into)
    return into


def _fragment_cache():
    return None if cache_is_degraded(cache) else cache


def render_post_tree(context, nodes) -> SafeString:
    """The markup of ``nodes`` (discussions.selectors.Node trees) exactly as ``post.html`` would draw
    them in ``context`` (the thread page's), from the cache where it can: this process's copy
    (core.localcache), then one Redis round trip for the rest, and a template render only for
    replies not seen in this state before."""
    if not nodes:
        return SafeString("")
    thread, community, access, user = context["thread"], context["community"], context["access"], context["user"]
    page = context.get("page")
    viewer_id = getattr(user, "pk", None)
    post_base = post_url_prefix(community=community, thread=thread)
    shared_values = {
        "thread": SimpleNamespace(pk=thread.pk, is_locked=thread.is_locked, accepted_post_id=thread.accepted_post_id),
        "community": SimpleNamespace(slug=community.slug),
        "access": SimpleNamespace(may_post=bool(access.may_post), may_moderate=bool(access.may_moderate)),
        "user": SimpleNamespace(pk=viewer_id),
        "may_accept": bool(context.get("may_accept")),
        "page": SimpleNamespace(number=page.number) if page is not None else None,
        "just_posted": False,  # only the reply form's answer (new_reply.html) marks a post just posted
        "post_base": post_base,
        "csrf_token": CSRF_PLACEHOLDER,
        "children_slot": CHILDREN,
    }
    shared = (
        sources_digest(SOURCES),
        timezone.get_current_timezone_name(),
        translation.get_language(),
        thread.pk,
        thread.is_locked,
        thread.accepted_post_id,
        community.slug,
        shared_values["access"].may_post,
        shared_values["access"].may_moderate,
        shared_values["may_accept"],
        page.number if page is not None else None,
    )
    shared_digest = hashlib.blake2b(repr(shared).encode(), digest_size=16)
    every = _flatten(nodes, [])
    authors: dict = {}
    keys = [_key(node, shared_digest, viewer_id, authors) for node in every]
    store = _fragment_cache()
    fragments = LOCAL.get_many(keys) if store is not None else {}
    wanted = [key for key in keys if key not in fragments]
    kept = {}
    if wanted and store is not None:
        for key, html in store.get_many(wanted).items():
            fragments[key] = kept[key] = tuple(html.split(CHILDREN, 1))
    missing = {}
    template = None
    for node, key in zip(every, keys, strict=True):
        if key not in fragments:
            template = template or get_template(TEMPLATE).template
            html = missing[key] = template.render(context.new({**shared_values, "node": node}))
            fragments[key] = kept[key] = tuple(html.split(CHILDREN, 1))
    if store is not None:
        if missing:
            store.set_many(missing, SECONDS)
        if kept:
            LOCAL.set_many(kept)

    out: list[str] = []

    def draw(node, key_of):
        before, after = fragments[key_of[id(node)]]
        out.append(before)
        for child in node.children:
            draw(child, key_of)
        out.append(after)

    key_of = {id(node): key for node, key in zip(every, keys, strict=True)}
    for node in nodes:
        draw(node, key_of)
    html = "".join(out)
    if CSRF_INPUT in html:  # only then: reading the token marks the page as using it (never cached for visitors)
        token = context.get("csrf_token")
        # Only the template writes an <input>: sanitized user text never has one.
        real = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
        html = html.replace(CSRF_INPUT, real if token and str(token) != "NOTPROVIDED" else "")
    return mark_safe(html)  # noqa: S308 - rendered by the (autoescaping) post template


# -- the reply forms ---------------------------------------------------------------------------

REPLY_FORM = "discussions/includes/reply_form.html"
REPLY_FORM_SOURCES = (
    "templates/discussions/includes/reply_form.html",
    "templates/discussions/includes/mention_box.html",
    "discussions/fragments.py",
)
SUBMISSION_PLACEHOLDER = "submissionplaceholder0reply0form"


def render_reply_form(context, parent_id, form) -> SafeString:
    """``{% include REPLY_FORM with parent_id=parent_id form=form %}`` as it would draw. An empty form (every
    page's, and the template each post's Reply copies) is the same for every reader of the thread but for
    the CSRF token and the submission key, so it is kept (this process, then Redis) under a digest of the
    thread's links, the parent and the templates, and those two are put in per page. A form with what was
    typed, its errors or a preview is drawn as it is."""
    if (form is not None and form.is_bound) or context.get("preview_html"):
        with context.push(parent_id=parent_id, form=form):
            return get_template(REPLY_FORM).template.render(context)
    shown = {
        "thread": SimpleNamespace(pk=context["thread"].pk),
        "thread_base": context["thread_base"],
        "preview_url": context["preview_url"],
        "mention_url": context["mention_url"],
        "parent_id": parent_id,
        "form": None,
        "submission_key": SUBMISSION_PLACEHOLDER,
        "csrf_token": CSRF_PLACEHOLDER,
    }
    values = (
        sources_digest(REPLY_FORM_SOURCES),
        translation.get_language(),
        shown["thread"].pk,
        shown["thread_base"],
        shown["preview_url"],
        shown["mention_url"],
        str(parent_id),
    )
    key = "reply-form:" + hashlib.blake2b(repr(values).encode(), digest_size=16).hexdigest()
    store = _fragment_cache()
    html = None
    if store is not None:
        html = LOCAL.get_many([key]).get(key)
        if html is None:
            html = store.get(key)
            if html is None:
                html = get_template(REPLY_FORM).template.render(context.new(shown))
                store.set(key, html, SECONDS)
            LOCAL.set_many({key: html})
    else:
        html = get_template(REPLY_FORM).template.render(context.new(shown))
    token = context.get("csrf_token")
    real = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', token)
    html = html.replace(CSRF_INPUT, real if token and str(token) != "NOTPROVIDED" else "")
    # As the template says: an (empty) form's own submission field starts with a fresh key, the bare template
    # with the page's.
    submission = new_submission() if form is not None else context.get("submission_key", "")
    html = html.replace(SUBMISSION_PLACEHOLDER, conditional_escape(submission))
    return mark_safe(html)  # noqa: S308 - rendered by the (autoescaping) form template


# -- thread rows (the discussion list, the community home's recent threads) -------------------

ROW_TEMPLATE = "discussions/includes/thread_row.html"
BADGE_TEMPLATE = "discussions/includes/unread_badge.html"
ROW_SOURCES = (
    "templates/discussions/includes/thread_row.html",
    "accounts/templatetags/people.py",
    "accounts/avatars.py",
    "core/templatetags/icons.py",
    "core/templatetags/dates.py",
    "core/dates.py",
    "discussions/fragments.py",
)
UNREAD = mark_safe("<!--unread-->")  # a fixed marker where the reader's own badge goes, no user text


# timesince's units and numbers without their words ("3 hour, 2 minute"): the same text exactly when the
# words are (the language is in the key already), without translating each unit's plural for every row.
_UNITS = {name: f"%(num)d {name}" for name in TIME_STRINGS_KEYS}


def elapsed(moment) -> str:
    """What ``moment|timesince`` says, as a key: it changes exactly when those words do."""
    return timesince(moment, time_strings=_UNITS)


def _row_shown(thread) -> tuple:
    focus_area = thread.focus_area if thread.focus_area_id else None
    return (
        thread.pk,
        thread.community.slug,
        thread.title,
        thread.kind,
        thread.is_pinned,
        thread.is_locked,
        thread.is_hidden,
        thread.accepted_post_id,
        thread.reply_count,
        thread.helpful_count,
        focus_area.name if focus_area else None,
        thread.author_id,
        _author(thread.author),
        thread.created_at.isoformat(),
        thread.last_activity_at.isoformat(),
        elapsed(thread.last_activity_at),  # "3 hours": the key moves on as the words do
        tuple(_author(person) for person in getattr(thread, "recent_repliers", None) or ()),
    )


def render_thread_rows(context, threads) -> SafeString:
    """The ``<li>`` rows of ``threads`` exactly as including ``thread_row.html`` for each would draw
    them in ``context``, from the cache where it can: one cache round trip for all rows.

    A row's markup shows only the thread (its fields, author, focus area, last repliers, how long
    ago it was active) and is the same for every reader, so it is kept under a digest of those
    values, the time zone, the language and the templates' source. The one per-reader part, the
    "New" / "2 new replies" badge (``unread_badge.html``), is drawn per reader in its place.
    """
    threads = list(threads)
    rows = drawn_rows(
        context,
        template=ROW_TEMPLATE,
        name="thread",
        rows=threads,
        shown=_row_shown,
        sources=ROW_SOURCES,
        extra={"unread_slot": UNREAD},
    )
    badge_template = None
    badges: dict[tuple, str] = {}
    user = context.get("user")
    viewer = SimpleNamespace(
        is_authenticated=bool(getattr(user, "is_authenticated", False)), pk=getattr(user, "pk", None)
    )
    out = []
    for thread, html in zip(threads, rows, strict=True):
        # Absent on lists without read state (the community home's): the badge reads None there too.
        state = (getattr(thread, "read_upto", None), thread.author_id, getattr(thread, "new_replies", None))
        state_key = (state[0] is None, state[1] == viewer.pk, state[2])
        badge = badges.get(state_key)
        if badge is None:
            badge_template = badge_template or get_template(BADGE_TEMPLATE).template
            values = SimpleNamespace(read_upto=state[0], author_id=state[1], new_replies=state[2])
            badge = badges[state_key] = badge_template.render(context.new({"thread": values, "user": viewer}))
        out.append(html.replace(UNREAD, badge, 1))
    return mark_safe("".join(out))  # noqa: S308 - rendered by the (autoescaping) row and badge templates


# -- search results (the discussions section of /search/) --------------------------------------

HIT_TEMPLATE = "discussions/includes/search_hit.html"
HITS_KEPT = LocalCache(max_chars=2_000_000)  # this process's copy of results' markup, read before Redis
HIT_SOURCES = (
    "templates/discussions/includes/search_hit.html",
    "core/templatetags/dates.py",
    "core/dates.py",
    "discussions/fragments.py",
)


def _hit_shown(hit) -> tuple:
    # A Hit holds exactly what its markup shows (the marked snippet too), each value as it is shown.
    return (
        hit.url,
        hit.title,
        hit.community,
        hit.kind,
        hit.focus_area,
        hit.reply,
        hit.author,
        hit.created_at.isoformat(),
        hit.headline,
    )


def render_hits(context, hits) -> SafeString:
    """The ``<li>`` of each discussion result (discussions.selectors.Hit) as including search_hit.html for
    each would draw it, from the cache where it can: one round trip. A hit's markup shows only its own
    values, so it is the same for every searcher who finds it; an entry is only read for a hit that
    searcher's own search returned, so nothing reaches anyone who may not see it."""
    return render_rows(
        context, template=HIT_TEMPLATE, name="hit", rows=hits, shown=_hit_shown, sources=HIT_SOURCES, kept=HITS_KEPT
    )
