"""Reminders a day before an activity, to members who said going or maybe; and districts' duty reminders."""

from celery import shared_task

from calendar_app import services
from calendar_app.duty_reminders import send_duty_reminders as send_due_duty_reminders
from calendar_app.reminders import send_due_reminders
from core.tasks import EMAIL_TASK_OPTIONS, retry_later


@shared_task(name="calendar_app.send_activity_reminders", **EMAIL_TASK_OPTIONS)
def send_activity_reminders(self):
    """Hourly. Safe to run twice: each reminder has one delivery row, sent once."""
    return len(retry_later(self, send_due_reminders()).sent)


@shared_task(name="calendar_app.send_duty_reminders", soft_time_limit=300, time_limit=360)
def send_duty_reminders():
    """Hourly. Before and after each due date, once: a claim row per responsibility and stage."""
    return send_due_duty_reminders()


@shared_task(name="calendar_app.extend_endless_rotations", soft_time_limit=300, time_limit=360)
def extend_endless_rotations():
    """Daily. Duties for the dates an endless series brought within the horizon; safe to run twice."""
    return services.extend_endless_rotations()
