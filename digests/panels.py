"""The "What needs me" panel: the site home shows it first, from the same selection as the digest;
and "What needs you" on a community home, the same calls to action from that community alone."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from core.panels import panel
from digests.models import CommunityNote
from digests.periods import next_monthly_period
from digests.selectors import AnswerNudge, Item, calls_to_action, moderation_work_for, onboarding_for

# The community home lists this many calls to action; "What needs me" on the site home holds the rest.
NEEDS_LIMIT = 8
KIND_ICONS = {
    "Responsibility": "clipboard-check",
    "Question": "question-circle",
    "Activity": "calendar-check",
    "Poll": "bar-chart",
    "Mentoring": "people",
    "Your question": "patch-question",
}


@panel("site_home_panel", order=50)
def site_home_panel(*, user, communities):
    """What needs ``user`` in the coming month, a brand-new member's checklist first; a fixed number of queries."""
    calls = calls_to_action(user=user)
    calls.onboarding = onboarding_for(user=user)
    return {
        "template": "digests/includes/what_needs_me.html",
        "slot": "what_needs_me",
        "calls": calls,
    }


@panel("site_home_panel", order=40)
def needs_moderation_panel(*, user, communities):
    """ "Needs moderation" for moderators, above "What needs me": no query for members, four for moderators
    (``communities``, the user's, say which they moderate)."""
    moderated = [community for community in communities if community.moderated_by_user]
    work = moderation_work_for(user=user, moderated=moderated) if moderated else []
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


@dataclass(frozen=True)
class Queue:
    """What waits in one of a community's moderation queues: how many, in words, and where."""

    count: int
    label: str
    path: str
    icon: str


def _queues(community, counts):
    """The moderators' queues with something in them, from the counts the community's tabs show."""
    slug = {"slug": community.slug}
    kinds = (
        ("discussions", ("open flag", "open flags"), reverse("discussions:moderation", kwargs=slug), "flag"),
        (
            "resources",
            ("resource in the review queue", "resources in the review queue"),
            reverse("resources:review", kwargs=slug),
            "inbox",
        ),
        (
            "manage",
            ("request to join", "requests to join"),
            reverse("communities:manage_requests", kwargs=slug),
            "person-plus",
        ),
    )
    return [
        Queue(count=counts[tab], label=words[counts[tab] != 1], path=path, icon=icon)
        for tab, words, path, icon in kinds
        if counts.get(tab)
    ]


def _nudge_item(nudge: AnswerNudge) -> Item:
    replies = len(nudge.replies)
    return Item(
        title=nudge.thread.title,
        path=nudge.path,
        community=nudge.community,
        when=nudge.thread.created_at,
        when_label="asked",
        detail=f"{replies} repl{'y' if replies == 1 else 'ies'}, none accepted yet",
        action="Pick the answer",
        kind="Your question",
    )


@panel("needs_you", order=10)
def what_needs_you_panel(*, community, viewer, access):
    """What needs a member of ``community`` there: the moderators' queues first (their counts are the tabs',
    no query of their own), then ``calls_to_action`` of that community alone (overdue duties, the other
    duties, unanswered questions, RSVPs, polls, mentoring, their own questions to close): six or seven
    queries. Nothing for visitors and non-members."""
    if not access.is_member:
        return None
    calls = calls_to_action(user=viewer, community=community)
    items = [
        *calls.overdue,
        *calls.upcoming_responsibilities,
        *calls.questions,
        *calls.activities,
        *calls.polls,
        *calls.mentoring,
        *(_nudge_item(nudge) for nudge in calls.nudges),
    ]
    rows = [
        {"item": item, "icon": "exclamation-triangle" if item.is_overdue else KIND_ICONS.get(item.kind, "arrow-right")}
        for item in items[:NEEDS_LIMIT]
    ]
    return {
        "template": "digests/includes/needs_you.html",
        "queues": _queues(community, access.moderation_counts) if access.may_moderate else [],
        "rows": rows,
        "more": len(items) - len(rows),
        "community": community,
        "access": access,
    }
