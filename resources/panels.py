"""The resource library's panel on the community home: featured resources and collections (two queries)."""

from django.db.models import Q

from communities.selectors import count_in_community
from core.panels import panel
from resources.models import Resource
from resources.selectors import collections_for_community, featured_for_home


@panel("moderation_count")
def review_queue_count(*, here):
    """Submissions and live resources with a broken link (the review queue) wait under the Resources tab."""
    waiting = Q(status=Resource.Status.SUBMITTED) | Q(
        link_status=Resource.LinkStatus.BROKEN, status__in=Resource.VISIBLE_STATUSES
    )
    return [("resources", count_in_community(Resource.objects.filter(waiting, community=here)))]


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
