"""Reminders a day before an activity, to members who said going or maybe."""

from celery import shared_task

from calendar_app.reminders import send_due_reminders
from calendar_app.services import refresh_next_occurrences as refresh
from core.tasks import EMAIL_TASK_OPTIONS, retry_later


@shared_task(name="calendar_app.send_activity_reminders", **EMAIL_TASK_OPTIONS)
def send_activity_reminders(self):
    """Hourly. Safe to run twice: each reminder has one delivery row, sent once."""
    return len(retry_later(self, send_due_reminders()).sent)


@shared_task(name="calendar_app.refresh_next_occurrences", soft_time_limit=600, time_limit=660)
def refresh_next_occurrences():
    """Nightly: the next date of each activity whose stored one has passed. Safe to run twice (nothing left to do)."""
    return refresh()
