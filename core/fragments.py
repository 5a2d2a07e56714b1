"""Rows of a list drawn once and kept in the cache under a digest of everything they show (issue 19).

A row template included once per row in a hot loop costs a template render per row on every
page. ``render_rows`` draws each row with the same template, in a context that holds only the
row (so what is kept cannot depend on the reader or anything else the key leaves out), and keeps
the markup in the cache under a digest of the row's shown values, the time zone, the language
and the source of the template and the code that draws it. Nothing is ever invalidated: a row
whose values change has a new key, and stale entries expire. All rows come in one cache round
trip; when Redis is unreachable the cache is skipped and the rows are simply drawn.
"""

import hashlib
from functools import cache as once
from pathlib import Path

from django.core.cache import cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from core.cache import cache_is_degraded
from core.localcache import LocalCache

ROOT = Path(__file__).resolve().parent.parent
SECONDS = 6 * 3600


@once
def sources_digest(sources: tuple[str, ...]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for name in sources:
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def drawn_rows(
    context,
    *,
    template: str,
    name: str,
    rows,
    shown,
    sources: tuple[str, ...],
    extra=None,
    kept: LocalCache | None = None,
) -> list[str]:
    """Each of ``rows`` drawn as ``{% include template %}`` with ``name`` bound to it would draw it, when
    ``template`` reads nothing but the row and ``extra`` (fixed values, such as a marker for a part the
    caller puts in per reader; they are part of the key): ``shown(row)`` gives everything the row's
    markup shows. One cache round trip for all of them, none for those ``kept`` (a copy in this
    process's memory, core.localcache) already holds."""
    rows = list(rows)
    if not rows:
        return []
    extra = extra or {}
    prefix = f"rows:{template}:"
    shared = (
        sources_digest(sources),
        timezone.get_current_timezone_name(),
        translation.get_language(),
        sorted(extra.items()),
    )
    keys = [prefix + hashlib.blake2b(repr((shared, shown(row))).encode(), digest_size=16).hexdigest() for row in rows]
    store = None if cache_is_degraded(cache) else cache
    kept = kept if store is not None else None
    found = kept.get_many(keys) if kept is not None else {}
    wanted = [key for key in keys if key not in found]
    if wanted and store is not None:
        stored = store.get_many(wanted)
        found.update(stored)
        if kept is not None and stored:
            kept.set_many(stored)
    missing = {}
    drawn = None
    out = []
    for row, key in zip(rows, keys, strict=True):
        html = found.get(key)
        if html is None:
            drawn = drawn or get_template(template).template  # type: ignore[attr-defined] # the engine's Template
            html = missing[key] = drawn.render(context.new({name: row, **extra}))
        out.append(html)
    if missing and store is not None:
        store.set_many(missing, SECONDS)
        if kept is not None:
            kept.set_many(missing)
    return out


def render_rows(
    context, *, template: str, name: str, rows, shown, sources: tuple[str, ...], kept: LocalCache | None = None
) -> SafeString:
    """``rows`` drawn as ``{% for <name> in rows %}{% include template %}{% endfor %}`` would draw them when
    ``template`` reads nothing but the row: ``shown(row)`` gives everything the row's markup shows."""
    rows_html = drawn_rows(context, template=template, name=name, rows=rows, shown=shown, sources=sources, kept=kept)
    return mark_safe("".join(rows_html))  # noqa: S308 - drawn by the (autoescaping) row template
