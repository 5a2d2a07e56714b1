"""What reports adds to pages of apps below it (core.panels)."""

from core.panels import panel
from reports.goals import progress


@panel("community_home_panel", order=20)
def charter_goals_panel(*, community, viewer, access):
    """The charter goals' progress bars, for whoever may see the community's content: 1 + 2 queries per goal."""
    if not access.may_see:
        return None
    goals = progress(community=community)
    if not goals and not access.may_manage:
        return None
    return {"template": "reports/includes/home_goals.html", "goals": goals, "community": community, "access": access}
