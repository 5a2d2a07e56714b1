"""``{% search_rows section.hits "app/includes/search_hit.html" ["attribute" ...] [also="app/x.html"] %}``:
search results of the kinds ``core.search.ranked_section`` loads (resources, activities, polls) through the
fragment cache (``core.fragments``, issue 19).

A result's markup shows only the result: its fields, its community's name and slug, its marked snippet
and any ``attribute`` named after the template (a value the model computes, such as a poll's status
now), so each is kept under a digest of all of those, the template's and the model's source, the time
zone and the language (``also`` names a template the row includes). An entry is only read for a result
the searcher's own search returned.
"""

from django import template
from django.contrib.postgres.search import SearchVectorField

from core.fragments import render_rows
from core.localcache import LocalCache

register = template.Library()
SOURCES = ("core/templatetags/search_rows.py", "core/templatetags/dates.py", "core/dates.py")
# Each entry's key is a digest of all it shows, so this process's copy never goes stale; reading it
# instead of Redis saved about 0.8 ms of CPU per kind of result on the search page.
KEPT = LocalCache(max_chars=2_000_000)


def _shown(hit, extra):
    fields = tuple(
        getattr(hit, f.attname) for f in type(hit)._meta.concrete_fields if not isinstance(f, SearchVectorField)
    )
    community = hit.community
    return (fields, community.pk, community.name, community.slug, hit.headline, *(getattr(hit, a) for a in extra))


@register.simple_tag(takes_context=True)
def search_rows(context, hits, row_template, *extra, also=""):
    hits = list(hits)
    if not hits:
        return ""
    model_source = type(hits[0]).__module__.replace(".", "/") + ".py"
    return render_rows(
        context,
        template=row_template,
        name="hit",
        rows=hits,
        shown=lambda hit: _shown(hit, extra),
        sources=(f"templates/{row_template}", *([f"templates/{also}"] if also else []), model_source, *SOURCES),
        kept=KEPT,
    )
