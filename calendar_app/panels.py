"""The community home's "Coming up" panel."""

from django.urls import reverse
from django.utils import timezone

from calendar_app.models import Rotation
from calendar_app.selectors import COMING_UP_DAYS, kept_soonest
from core.panels import panel

PANEL_SIZE = 5
PANEL_DAYS = COMING_UP_DAYS


@panel("community_home_panel", order=30)
def community_home_panel(*, community, viewer, access):
    """The next activities of the community: two queries, none for a member whose What needs you (asked
    first, communities.views.home) worked out the community's first dates already."""
    if not access.may_see:
        return None
    _as_of, occurrences = kept_soonest(community=community, now=timezone.now(), days=PANEL_DAYS, limit=PANEL_SIZE)
    return {
        "template": "calendar_app/includes/home_panel.html",
        "occurrences": occurrences,
        "community": community,
    }


@panel("setup_step", order=50)
def activities_step(*, community):
    """The year's activities with a duty rotating through the districts: one query."""
    return {
        "label": "Schedule the year's activities, with a duty rotating through the districts",
        "done": Rotation.objects.filter(activity__community=community).exists(),
        "url": reverse("calendar_app:new", kwargs={"slug": community.slug}),
        "hint": "For example a monthly chat and a monthly webinar; then check the plan of districts.",
    }
