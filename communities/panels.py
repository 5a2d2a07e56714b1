"""What communities add to pages of apps below them (core.panels)."""

from communities.selectors import communities_of
from core.panels import panel


@panel("profile_panel", order=10)
def profile_panel(*, person, viewer):
    """The communities ``person`` belongs to that ``viewer`` may know of: one query."""
    return {
        "template": "communities/includes/profile_communities.html",
        "communities": list(communities_of(user=person, viewer=viewer)),
    }
