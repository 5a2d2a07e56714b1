"""Every account gets its secret calendar-feed link when it is created, so pages never write one on GET."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from calendar_app.models import FeedToken


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="calendar_app.feed_token_for_new_user")
def give_new_user_a_feed_token(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        FeedToken.objects.get_or_create(user=instance)
