"""Celery tasks of the mail outbox (core.mail): send stored emails, and sweep up what is left."""

from celery import shared_task
from django.conf import settings

from core import mail
from core.models import EmailDelivery

# Every email task retries a passing SMTP failure with exponential backoff (1, 2, 4… minutes
# by default, with jitter, at most 30); the delivery rows make a retry send only what is unsent.
EMAIL_TASK_OPTIONS = {
    "bind": True,
    "autoretry_for": (mail.MailDeferred,),
    "retry_backoff": settings.EMAIL_RETRY_BACKOFF,
    "retry_backoff_max": 1800,
    "retry_jitter": True,
    "max_retries": 6,
    "soft_time_limit": 300,
    "time_limit": 360,
}


def retry_later(task, result):
    """Raise MailDeferred, so Celery retries ``task`` with backoff, if some emails failed for a passing reason.

    A task run in-process (eager: ``make run`` without Redis) must not retry at once in a
    loop: its failed emails keep their retry time and the periodic sweep sends them.
    """
    if result.retry and not task.request.is_eager:
        raise mail.MailDeferred(result.retry)
    return result


@shared_task(name="core.send_stored_emails", **EMAIL_TASK_OPTIONS)
def send_stored_emails(self, keys):
    """Send the recorded emails named by ``keys`` that are still to send. Safe to run twice."""
    result = retry_later(self, mail.deliver(EmailDelivery.objects.filter(key__in=keys)))
    return len(result.sent)


@shared_task(name="core.send_due_emails", soft_time_limit=600, time_limit=660)
def send_due_emails(limit=500):
    """Periodic: send emails whose retry time has come or whose task was lost. Returns the number sent."""
    keys = list(mail.due_rows().order_by("created_at").values_list("key", flat=True)[:limit])
    if not keys:
        return 0
    return len(mail.deliver(EmailDelivery.objects.filter(key__in=keys)).sent)
