"""The resource library's panel on the community home: featured resources and collections (two queries)."""

from datetime import datetime
from functools import cache

from django.conf import settings
from django.db.models import Q

from communities.models import Community
from communities.selectors import count_in_community
from core.compiled import Compiled
from core.pagecache import kept
from core.panels import panel
from resources.models import Resource
from resources.selectors import collections_for_community, featured_for_home, this_month_start


@panel("moderation_count")
def review_queue_count(*, here):
    """Submissions and live resources with a broken link (the review queue) wait under the Resources tab."""
    waiting = Q(status=Resource.Status.SUBMITTED) | Q(
        link_status=Resource.LinkStatus.BROKEN, status__in=Resource.VISIBLE_STATUSES
    )
    return [("resources", count_in_community(Resource.objects.filter(waiting, community=here)))]


@panel("community_home_panel", order=20)
def community_home_panel(*, community, viewer, access):
    """Featured resources (this month's first) and the first collections; the template reads ``panel.*``.
    Two queries, compiled once per process (core.compiled); none while kept for every reader alike under the
    community's version tokens (core.pagecache.kept), for the month."""
    if not access.may_see:
        return None
    featured, collections = _home_statements()
    month_start = this_month_start()
    shown = kept(
        scopes=[f"c:{community.slug}"],
        key=f"community-home-resources:{community.pk}:{month_start.isoformat()}",
        build=lambda: (featured(community=community.pk, month_start=month_start), collections(community=community.pk)),
        seconds=settings.KEPT_SECONDS,
        sources=("resources/models.py", "resources/selectors.py", "resources/panels.py"),
    )
    return {"template": "resources/includes/home_panel.html", "featured": shown[0], "collections": shown[1]}


@cache
def _home_statements() -> tuple[Compiled, Compiled]:
    # Only what the panel shows: a resource's description and search vector are most of its row.
    def featured(community, month_start):
        found = featured_for_home(community=Community(pk=community), month_start=month_start)
        return found.only("id", "community_id", "title", "kind")

    def collections(community):
        return collections_for_community(community=Community(pk=community), limit=4).only("id", "title")

    return (
        Compiled(featured, community=int, month_start=datetime),
        Compiled(collections, community=int),
    )
