"""Celery tasks of mentoring: the check-in of each pairing's current period, created once."""

from celery import shared_task

from mentoring import services


@shared_task(name="mentoring.create_due_check_ins", soft_time_limit=300, time_limit=360)
def create_due_check_ins():
    """Hourly beat job; running it twice in a period creates nothing the second time."""
    return services.create_due_check_ins()
