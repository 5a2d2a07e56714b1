"""Reminders of districts' responsibilities: one before the due date, one after it passes, each once.

The district is told through the notifications app (kinds ``responsibility_due_soon`` and
``responsibility_overdue``), which emails each person as they chose. A run claims one
``ResponsibilityReminder`` row per responsibility and stage before it notifies, so a second
run (or a second worker) finds the claim and tells nobody again; the notifications' own
``event_key`` makes a repeated fan-out insert nothing twice as well.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from calendar_app.models import DutyState, Responsibility, ResponsibilityReminder, duty_state
from calendar_app.selectors import duty_recipients
from core import dates
from notifications import kinds
from notifications.services import notify

# An overdue reminder goes out only while the due date is this recent: turning reminders on never
# emails about duties forgotten long ago (they still show as overdue everywhere).
OVERDUE_REMINDER_WINDOW = timedelta(days=14)


def stage_due(duty, *, now, days_before=None):
    """Which reminder ``duty`` is due for at ``now`` (in its activity's zone), or None."""
    days_before = settings.RESPONSIBILITY_REMIND_DAYS_BEFORE if days_before is None else days_before
    today = now.astimezone(duty.activity.zone).date()
    state = duty_state(status=duty.status, due_date=duty.due_date, today=today)
    if state == DutyState.DONE:
        return None
    if state == DutyState.OVERDUE:
        return ResponsibilityReminder.Stage.OVERDUE if today - duty.due_date <= OVERDUE_REMINDER_WINDOW else None
    if duty.due_date - today <= timedelta(days=days_before):
        return ResponsibilityReminder.Stage.BEFORE
    return None


def _candidates(now, days_before):
    # A day of slack each side: the zones of activities differ from UTC by less than that.
    today = now.date()
    return (
        Responsibility.objects.not_done()
        .filter(
            due_date__gte=today - OVERDUE_REMINDER_WINDOW - timedelta(days=1),
            due_date__lte=today + timedelta(days=days_before + 1),
        )
        .select_related("activity", "activity__community", "district")
        .order_by("due_date", "pk")
    )


def _claim(duty, stage, recipients, now):
    try:
        with transaction.atomic():
            ResponsibilityReminder.objects.create(responsibility=duty, stage=stage, recipients=recipients, sent_at=now)
    except IntegrityError:
        return False
    return True


def send_duty_reminders(*, now=None):
    """Tell each district about its responsibilities due within RESPONSIBILITY_REMIND_DAYS_BEFORE days,
    and once more the first run after the due date passed. Returns how many reminders were claimed.

    Only people who answer for the duty now (``duty_recipients``: members of its community) are told.
    Safe to run twice, in parallel too: the unique claim row decides.
    """
    now = now or timezone.now()
    days_before = settings.RESPONSIBILITY_REMIND_DAYS_BEFORE
    due = [(duty, stage) for duty in _candidates(now, days_before) if (stage := stage_due(duty, now=now)) is not None]
    if not due:
        return 0
    claimed = set(
        ResponsibilityReminder.objects.filter(responsibility__in=[duty.pk for duty, _ in due]).values_list(
            "responsibility_id", "stage"
        )
    )
    due = [(duty, stage) for duty, stage in due if (duty.pk, stage) not in claimed]
    recipients = duty_recipients(duty for duty, _ in due)
    sent = 0
    for duty, stage in due:
        people = recipients.get(duty.pk, [])
        with transaction.atomic():
            if not _claim(duty, stage, people, now):
                continue
            sent += 1
            if people:
                notify_duty(duty, kind=_KIND[stage], recipients=people, event=stage)
    return sent


_KIND = {
    ResponsibilityReminder.Stage.BEFORE: kinds.RESPONSIBILITY_DUE_SOON,
    ResponsibilityReminder.Stage.OVERDUE: kinds.RESPONSIBILITY_OVERDUE,
}


def notify_duty(duty, *, kind, recipients, event, actor=None):
    """One notification about ``duty`` to ``recipients`` (ids), named by ``event`` so it is made once."""
    notify(
        kind=kind,
        recipients=recipients,
        community=duty.activity.community,
        actor=actor,
        target=duty,
        url=duty.url,
        subject=f"{duty.headline}, due {dates.day(duty.due_date)}",
        detail="Mark it done on the activity's page once your district has done it.",
        event_key=f"duty:{duty.pk}:{event}",
    )
