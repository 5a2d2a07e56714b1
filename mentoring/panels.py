"""Mentoring on a community home (core.panels): the viewer's pairings, and a way in."""

from django.db.models import Q

from core.panels import panel
from mentoring.models import Pairing


@panel("community_home_panel", order=60)
def community_home_panel(*, community, viewer, access):
    """Members see their active pairings, with links, and the way to find a mentor. One query.

    Mentees waiting for the viewer's answer are in the home's "What needs you" (digests.panels), with the
    check-ins that are due.
    """
    if not access.is_member:
        return None
    active = list(
        Pairing.objects.filter(community=community, status=Pairing.Status.ACTIVE)
        .filter(Q(mentor=viewer) | Q(mentee=viewer))
        .select_related("mentor", "mentee", "community")
        .order_by("-created_at")[:6]
    )
    return {
        "template": "mentoring/includes/home_panel.html",
        "community": community,
        "active": active,
        "viewer": viewer,
    }
