"""Webhooks hear the lower apps' signals (each sent after its write commits) and queue deliveries."""

from django.dispatch import receiver

from api import webhooks
from api.models import Webhook
from api.tasks import deliver_webhook
from calendar_app.signals import activity_changed, activity_created
from discussions.signals import reply_created, thread_created
from polls.signals import poll_closed
from resources.signals import resource_approved

Event = Webhook.Event


def _queue(*, community, event, event_id, data):
    for delivery_id in webhooks.queue_event(community_id=community.pk, event=event, event_id=event_id, data=data):
        deliver_webhook.delay(delivery_id)


@receiver(thread_created, dispatch_uid="api.webhooks.thread_created")
def on_thread_created(sender, thread, **kwargs):
    data = {"community": thread.community.slug, "thread": webhooks.serialized("ThreadSerializer", thread)}
    _queue(community=thread.community, event=Event.THREAD_CREATED, event_id=f"thread:{thread.pk}", data=data)


@receiver(reply_created, dispatch_uid="api.webhooks.reply_created")
def on_reply_created(sender, post, **kwargs):
    data = {"community": post.thread.community.slug, "post": webhooks.serialized("PostSerializer", post)}
    _queue(community=post.thread.community, event=Event.REPLY_CREATED, event_id=f"post:{post.pk}", data=data)


@receiver(resource_approved, dispatch_uid="api.webhooks.resource_approved")
def on_resource_approved(sender, resource, **kwargs):
    data = {"community": resource.community.slug, "resource": webhooks.serialized("ResourceSerializer", resource)}
    event_id = f"resource-approved:{resource.pk}:{int(resource.approved_at.timestamp())}"
    _queue(community=resource.community, event=Event.RESOURCE_APPROVED, event_id=event_id, data=data)


def _queue_activity(activity, event, event_id):
    data = {"community": activity.community.slug, "activity": webhooks.serialized("ActivitySerializer", activity)}
    _queue(community=activity.community, event=event, event_id=event_id, data=data)


@receiver(activity_created, dispatch_uid="api.webhooks.activity_created")
def on_activity_created(sender, activity, **kwargs):
    _queue_activity(activity, Event.ACTIVITY_CREATED, f"activity:{activity.pk}")


@receiver(activity_changed, dispatch_uid="api.webhooks.activity_changed")
def on_activity_changed(sender, activity, **kwargs):
    # Each change is its own event: the activity's iCalendar sequence counts them.
    _queue_activity(activity, Event.ACTIVITY_CHANGED, f"activity:{activity.pk}:{activity.sequence}")


@receiver(poll_closed, dispatch_uid="api.webhooks.poll_closed")
def on_poll_closed(sender, poll, **kwargs):
    # The same closing is announced once, also if the sweep of polls whose time passed got there first.
    for delivery_id in webhooks.announce_poll_closed(poll=poll) or ():
        deliver_webhook.delay(delivery_id)
