"""What communities (below notifications) tell notifications through its signals, and keeping the bell honest.

- A join request asks the community's moderators; its decision tells the requester.
- An accepted invitation tells whoever sent it.
- Joining or leaving a community changes what someone may see: their bell count is recomputed.
"""

from django.dispatch import receiver
from django.urls import reverse

from communities import signals as community_signals
from notifications import kinds, services


@receiver(community_signals.join_requested, dispatch_uid="notifications.join_requested")
def join_requested(sender, join_request, **kwargs):
    community = join_request.community
    services.notify(
        kind=kinds.MOD_JOIN_REQUEST,
        recipients=services.moderator_ids(community),
        community=community,
        actor=join_request.user_id,
        target=join_request,
        url=reverse("communities:manage_requests", kwargs={"slug": community.slug}),
        subject=community.name,
        event_key=f"join_request:{join_request.pk}",
        email_group=f"community:{community.pk}",
    )


@receiver(community_signals.join_request_decided, dispatch_uid="notifications.join_request_decided")
def join_request_decided(sender, join_request, **kwargs):
    community = join_request.community
    services.notify(
        kind=kinds.JOIN_DECIDED,
        recipients=[join_request.user_id],
        # Told even when declined from a members-only community: the request was theirs.
        community=community if join_request.status == "approved" or community.is_public else None,
        target=community,
        url=reverse("communities:home", kwargs={"slug": community.slug}),
        subject=community.name,
        detail=join_request.get_status_display().lower(),
        event_key=f"join_decided:{join_request.pk}",
    )


@receiver(community_signals.invitation_accepted, dispatch_uid="notifications.invitation_accepted")
def invitation_accepted(sender, invitation, **kwargs):
    if not invitation.invited_by_id:
        return
    community = invitation.community
    services.notify(
        kind=kinds.INVITATION_ACCEPTED,
        recipients=[invitation.invited_by_id],
        community=community,
        actor=invitation.accepted_by_id,
        target=community,
        url=reverse("communities:members", kwargs={"slug": community.slug}),
        subject=community.name,
        event_key=f"invitation_accepted:{invitation.pk}",
    )
