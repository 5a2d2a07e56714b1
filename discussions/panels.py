"""What discussions show on a community home page."""

from communities.selectors import count_in_community
from core.panels import panel
from discussions.models import Flag
from discussions.selectors import recent_threads, with_recent_repliers


@panel("moderation_count")
def open_flags_count(*, here):
    """Open flags wait under the Discussions tab."""
    return [("discussions", count_in_community(Flag.objects.filter(community=here, status=Flag.Status.OPEN)))]


@panel("community_home_panel", order=10)
def community_home_panel(*, community, viewer, access):
    """The community's latest threads and their last repliers: three queries (one with no threads)."""
    if not access.may_see:
        return None
    return {
        "template": "discussions/includes/home_panel.html",
        "recent_threads": with_recent_repliers(recent_threads(community=community, viewer=viewer, limit=5)),
        "community": community,
        "access": access,
    }
