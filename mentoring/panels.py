"""Mentoring on a community home (core.panels): requests waiting for the viewer's answer, and a way in."""

from django.db.models import Q

from core.panels import panel
from mentoring.models import Pairing


@panel("community_home_panel", order=60)
def community_home_panel(*, community, viewer, access):
    """Members see mentees waiting for their answer and their active pairings, with links. One query."""
    if not access.is_member:
        return None
    mine = list(
        Pairing.objects.filter(community=community, status__in=[Pairing.Status.ASKED, Pairing.Status.ACTIVE])
        .filter(Q(mentor=viewer) | Q(mentee=viewer))
        .select_related("mentor", "mentee", "community")
        .order_by("-created_at")[:6]
    )
    return {
        "template": "mentoring/includes/home_panel.html",
        "community": community,
        "asking_me": [p for p in mine if p.status == Pairing.Status.ASKED and p.mentor_id == viewer.pk],
        "active": [p for p in mine if p.status == Pairing.Status.ACTIVE],
        "viewer": viewer,
    }
