"""The resource library's panel on the community home: featured resources and collections (two queries)."""

from core.panels import panel
from resources.selectors import collections_for_community, featured_for_home


@panel("community_home_panel", order=20)
def community_home_panel(*, community, viewer, access):
    """Featured resources (this month's first) and the first collections; the template reads ``panel.*``."""
    if not access.may_see:
        return None
    return {
        "template": "resources/includes/home_panel.html",
        "featured": list(featured_for_home(community=community)),
        "collections": list(collections_for_community(community=community, limit=4)),
    }
