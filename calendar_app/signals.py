"""Every account gets its secret calendar-feed link when it is created, so pages never write one on GET;
and the signals this app sends when an activity is scheduled or changed."""

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from calendar_app.models import FeedToken

# Sent after commit so higher apps (the API's webhooks) can react:
# ``activity_created(sender=Activity, activity)`` and ``activity_changed(sender=Activity, activity)``.
activity_created = Signal()
activity_changed = Signal()


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="calendar_app.feed_token_for_new_user")
def give_new_user_a_feed_token(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        FeedToken.objects.get_or_create(user=instance)
