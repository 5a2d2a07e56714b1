"""Celery tasks of the webhooks (api/webhooks.py): thin wrappers over it, taking ids, safe to run twice."""

from celery import shared_task

from api import webhooks


@shared_task(name="api.deliver_webhook", bind=True, soft_time_limit=30, time_limit=60, max_retries=None)
def deliver_webhook(self, delivery_id):
    """Send one delivery if it is due. A failure is retried with backoff (by this task on a worker;
    in-process, by the ``api.send_due_webhooks`` sweep, never in a loop at once)."""
    status = webhooks.attempt(delivery_id)
    if status == webhooks.Status.PENDING and not self.request.is_eager:
        wait = webhooks.seconds_until_due(delivery_id)
        raise self.retry(countdown=wait)
    return status


@shared_task(name="api.send_due_webhooks", soft_time_limit=240, time_limit=300)
def send_due_webhooks():
    """Send every delivery that is due (retries whose time came, claims of dead workers)."""
    sent = 0
    for delivery_id in webhooks.due_deliveries():
        webhooks.attempt(delivery_id)
        sent += 1
    return sent


@shared_task(name="api.announce_closed_polls", soft_time_limit=120, time_limit=180)
def announce_closed_polls():
    """Beat job: the ``poll.closed`` event of every poll whose closing time passed, once per closing (safe to run
    twice, or beside a leader closing the poll by hand); returns how many closings were announced."""
    announced = 0
    for poll in webhooks.closed_polls_to_announce():
        deliveries = webhooks.announce_poll_closed(poll=poll)
        if deliveries is None:
            continue  # a leader's close (or another run) announced it meanwhile
        announced += 1
        for delivery_id in deliveries:
            deliver_webhook.delay(delivery_id)
    return announced
