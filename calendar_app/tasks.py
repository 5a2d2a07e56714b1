"""Reminders a day before an activity, to members who said going or maybe."""

from celery import shared_task

from calendar_app.reminders import send_due_reminders


@shared_task(name="calendar_app.send_activity_reminders")
def send_activity_reminders():
    """Hourly. Safe to run twice: each reminder is claimed by a unique row before it is sent."""
    return send_due_reminders()
