"""Receivers of the communities app.

- Someone who followed an invitation link before they had an account joins as soon
  as they log in: the invitation view keeps the link's token in the session; after
  sign-up and email confirmation (or a plain login) allauth logs the person in,
  Django sends ``user_logged_in``, and the invitation is accepted here.
- A saved or deleted row that belongs to a community retires that community's
  cached pages (core/pagecache.py), also when the write happens outside a request.
"""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communities import services
from communities.models import Community
from core.pagecache import bump_community

INVITATION_SESSION_KEY = "communities_invitation_token"


@receiver(user_logged_in, dispatch_uid="communities.accept_pending_invitation")
def accept_pending_invitation(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    token = request.session.pop(INVITATION_SESSION_KEY, None)
    if not token:
        return
    try:
        invitation = services.invitation_from_token(token)
        services.accept_invitation(user=user, invitation=invitation)
    except ValidationError:
        # The invitation page explains what went wrong when the person lands on it.
        return
    messages.success(request, f"Welcome to {invitation.community.name}! You are now a member.")


# Apps whose rows appear on community pages. Digests are left out: their bookkeeping rows
# change by the thousand in a run and show on no cached page.
CONTENT_APPS = {"communities", "discussions", "resources", "calendar_app", "polls"}


def _community_slug(instance):
    """The slug of the community a row belongs to: itself, its ``community``, or its parent's (a ballot's poll)."""
    if isinstance(instance, Community):
        return instance.slug
    if getattr(instance, "community_id", None) is not None:
        field = type(instance)._meta.get_field("community")
        if field.is_cached(instance) and instance.community is not None:
            return instance.community.slug
        return Community.objects.filter(pk=instance.community_id).values_list("slug", flat=True).first()
    for field in type(instance)._meta.concrete_fields:
        related = field.related_model if field.many_to_one else None
        if related is not None and any(f.name == "community" for f in related._meta.concrete_fields):
            pk = getattr(instance, field.attname)
            if pk is not None:
                return related.objects.filter(pk=pk).values_list("community__slug", flat=True).first()
    return None


@receiver(post_save, dispatch_uid="pagecache.saved")
@receiver(post_delete, dispatch_uid="pagecache.deleted")
def content_changed(sender, instance, **kwargs):
    """post_save/post_delete receiver: a row of a community changed outside or inside a request."""
    if sender._meta.app_label not in CONTENT_APPS or kwargs.get("raw"):
        return
    slug = _community_slug(instance)
    if slug:
        bump_community(slug)
