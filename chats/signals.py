"""Open sockets learn at once when someone may no longer read a room: a membership ends, or
the community's visibility changes. They check again themselves every CHAT_RECHECK_SECONDS too,
for changes that send no signal (a queryset delete)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from chats import live
from communities.models import Community, Membership


@receiver(post_delete, sender=Membership, dispatch_uid="chats.membership_ended")
def membership_ended(sender, instance, **kwargs):
    live.ask_to_recheck(user_id=instance.user_id)


@receiver(post_save, sender=Community, dispatch_uid="chats.community_changed")
def community_changed(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        live.ask_to_recheck(community_id=instance.pk)
