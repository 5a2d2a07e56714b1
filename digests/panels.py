"""The "What needs me" panel: the site home shows it first, from the same selection as the digest."""

from django.conf import settings

from core.panels import panel
from digests.models import CommunityNote
from digests.periods import next_monthly_period
from digests.selectors import calls_to_action, moderation_work_for, onboarding_for


@panel("site_home_panel", order=50)
def site_home_panel(*, user):
    """What needs ``user`` in the coming month, a brand-new member's checklist first; a fixed number of queries."""
    calls = calls_to_action(user=user)
    calls.onboarding = onboarding_for(user=user)
    return {
        "template": "digests/includes/what_needs_me.html",
        "slot": "what_needs_me",
        "calls": calls,
    }


@panel("site_home_panel", order=40)
def needs_moderation_panel(*, user):
    """ "Needs moderation" for moderators, above "What needs me": one query, four more when they moderate."""
    work = moderation_work_for(user=user)
    if not work:
        return None
    return {"template": "digests/includes/needs_moderation.html", "slot": "what_needs_me", "work": work}


@panel("community_home_panel", order=50)
def community_home_panel(*, community, viewer, access):
    """Moderators see whether the next digest carries their note, with a link to write it. One query."""
    if not access.may_moderate:
        return None
    period = next_monthly_period(day_of_month=settings.DIGEST_DAY_OF_MONTH, hour=settings.DIGEST_HOUR_UTC)
    has_note = CommunityNote.objects.filter(community=community, period=period.key).exists()
    return {"template": "digests/includes/note_panel.html", "period": period, "has_note": has_note}
