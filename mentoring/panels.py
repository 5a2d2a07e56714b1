"""Mentoring on a community home (core.panels): the way in."""

from core.panels import panel


@panel("community_home_panel", order=60)
def community_home_panel(*, community, viewer, access):
    """The way into mentoring, for members. No query: what waits for them (a mentee's ask, a check-in due)
    is in the home's "What needs you" (digests.panels), their pairings on the mentoring page."""
    if not access.is_member:
        return None
    return {"template": "mentoring/includes/home_panel.html", "community": community}
