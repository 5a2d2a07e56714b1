"""Celery tasks of notifications: fan-out and the emails. Each takes plain data and is safe to run twice."""

from celery import shared_task

from core.tasks import EMAIL_TASK_OPTIONS, retry_later
from notifications import emails, services


@shared_task(name="notifications.fan_out", soft_time_limit=120, time_limit=150)
def fan_out(payload):
    """Insert the notifications of one event (see services.notify). Running it twice inserts nothing twice."""
    return services.fan_out(payload)


@shared_task(name="notifications.send_due_emails", **EMAIL_TASK_OPTIONS)
def send_due_emails(self):
    """Email the notifications whose time has come, batched per person and thread; one SMTP connection."""
    return len(retry_later(self, emails.send_due()).sent)
