"""Signals the communities app sends (for the apps above it) and its own receivers.

- Someone who followed an invitation link before they had an account joins as soon
  as they log in: the invitation view keeps the link's token in the session; after
  sign-up and email confirmation (or a plain login) allauth logs the person in,
  Django sends ``user_logged_in``, and the invitation is accepted here.
- A community's member count kept in the cache (``selectors.member_counts``) is forgotten
  whenever one of its memberships is saved or deleted, now and once the transaction commits.
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from communities.models import Membership

# Sent inside the service's transaction; apps above (notifications) act after it commits.
join_requested = Signal()  # join_request
join_request_decided = Signal()  # join_request (approved or declined)
invitation_accepted = Signal()  # invitation

INVITATION_SESSION_KEY = "communities_invitation_token"


@receiver(user_logged_in, dispatch_uid="communities.accept_pending_invitation")
def accept_pending_invitation(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(INVITATION_SESSION_KEY, None)
    if not token:
        return
    from communities import services

    try:
        invitation = services.invitation_from_token(token)
        services.accept_invitation(user=user, invitation=invitation)
    except ValidationError:
        # The invitation page explains what went wrong when the person lands on it.
        return
    messages.success(request, f"Welcome to {invitation.community.name}! You are now a member.")


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="communities.forget_member_count")
def forget_member_count(sender, instance, **kwargs):
    from communities.selectors import member_count_key

    key = member_count_key(instance.community_id)
    cache.delete(key)
    # And again after the commit: a page counting before it could have kept the old number.
    transaction.on_commit(lambda: cache.delete(key))
