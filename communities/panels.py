"""What communities add to pages of apps below them (core.panels)."""

from django.urls import reverse

from communities.models import Invitation, InvitationLink, Membership
from communities.selectors import communities_of
from core.panels import panel


@panel("profile_panel", order=10)
def profile_panel(*, person, viewer):
    """The communities ``person`` belongs to that ``viewer`` may know of: one query."""
    return {
        "template": "communities/includes/profile_communities.html",
        "communities": list(communities_of(user=person, viewer=viewer)),
    }


def _manage_url(name, community):
    return reverse(f"communities:{name}", kwargs={"slug": community.slug})


@panel("setup_step", order=10)
def charter_step(*, community):
    """The charter: domain and purpose (no query)."""
    return {
        "label": "Write the charter: domain, purpose, audience",
        "done": bool(community.domain and community.purpose),
        "url": _manage_url("manage_settings", community),
        "hint": "What brings members together and what the community aims for.",
    }


@panel("setup_step", order=20)
def focus_areas_step(*, community):
    """Focus areas with a leader: one query."""
    return {
        "label": "Add focus areas and their leaders",
        "done": community.focus_areas.exists(),
        "url": _manage_url("manage_focus_areas", community),
        "hint": "Sub-topics, each led by someone who knows it best.",
    }


@panel("setup_step", order=30)
def districts_step(*, community):
    """The community's districts: one query."""
    return {
        "label": "Add the districts that take part",
        "done": community.districts.exists(),
        "url": _manage_url("manage_districts", community),
        "hint": "They take turns with duties on the calendar.",
    }


@panel("setup_step", order=40)
def invitations_step(*, community):
    """Invitations sent, a link made, or members besides the founder: one query."""
    done = (
        Invitation.objects.filter(community=community).exists()
        or InvitationLink.objects.filter(community=community).exists()
        or Membership.objects.filter(community=community).count() > 1
    )
    return {
        "label": "Invite members",
        "done": done,
        "url": _manage_url("manage_bulk_invitations", community),
        "hint": "Paste a list of addresses, upload a CSV, or share a link.",
    }
