"""What discussions show on a community home page."""

from functools import cache

from django.conf import settings

from communities.models import Community
from communities.selectors import count_in_community
from core.compiled import Compiled
from core.pagecache import kept
from core.panels import panel
from discussions.models import Flag
from discussions.selectors import recent_threads, with_recent_repliers

# What makes the kept threads: a change to any of these is a new key (core.pagecache.kept).
KEPT_SOURCES = ("discussions/models.py", "discussions/selectors.py", "accounts/models.py", "communities/models.py")


@panel("moderation_count")
def open_flags_count(*, here):
    """Open flags wait under the Discussions tab."""
    return [("discussions", count_in_community(Flag.objects.filter(community=here, status=Flag.Status.OPEN)))]


@panel("community_home_panel", order=10)
def community_home_panel(*, community, viewer, access):
    """The community's latest threads and their last repliers: three queries (one with no threads), the threads'
    compiled once per process (core.compiled). Every reader who may see them sees the same, so they are kept
    under the community's version tokens (core.pagecache.kept): none while kept (each row's "how long ago"
    is drawn per page from the kept time)."""
    if not access.may_see:
        return None
    threads = kept(
        scopes=[f"c:{community.slug}"],
        key=f"community-home-threads:{community.pk}",
        build=lambda: with_recent_repliers(_recent_statement()(community=community.pk)),
        seconds=settings.KEPT_SECONDS,
        sources=KEPT_SOURCES,
    )
    return {
        "template": "discussions/includes/home_panel.html",
        "recent_threads": threads,
        "community": community,
        "access": access,
    }


@cache
def _recent_statement() -> Compiled:
    # ``recent_threads`` shows every visible thread to whoever may see the community: the viewer shapes nothing.
    return Compiled(
        lambda community: recent_threads(community=Community(pk=community), viewer=None, limit=5), community=int
    )
