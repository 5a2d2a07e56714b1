"""Reminder emails: claim a ReminderSent row, then send; a second run finds the claim and skips."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from calendar_app.models import RSVP, ReminderSent
from calendar_app.selectors import activities_overlapping, expand
from communities.models import Membership

REMIND_AHEAD = timedelta(hours=24)


def _claim(activity, occurrence_start, user):
    try:
        with transaction.atomic():
            ReminderSent.objects.create(activity=activity, occurrence_start=occurrence_start, user=user)
    except IntegrityError:
        return False
    return True


def send_due_reminders(*, now=None):
    """Email everyone who said going or maybe to an occurrence starting in the next 24 hours. Returns the count."""
    now = now or timezone.now()
    occurrences = expand(activities_overlapping(start=now, end=now + REMIND_AHEAD), now, now + REMIND_AHEAD)
    occurrences = [o for o in occurrences if o.start >= now]
    if not occurrences:
        return 0
    activity_ids = {o.activity.pk for o in occurrences}
    rsvps = (
        RSVP.objects.filter(activity_id__in=activity_ids, response__in=[RSVP.Response.GOING, RSVP.Response.MAYBE])
        .filter(user__is_active=True)
        .select_related("user")
    )
    members = set(
        Membership.objects.filter(community__activities__in=activity_ids).values_list("community_id", "user_id")
    )
    by_key = {}
    for answer in rsvps:
        by_key.setdefault((answer.activity_id, answer.occurrence_start), []).append(answer)
    sent = 0
    for occurrence in occurrences:
        activity = occurrence.activity
        for answer in by_key.get((activity.pk, occurrence.original_start), []):
            if (activity.community_id, answer.user_id) not in members:
                continue  # left the community: members-only details stay with members
            if not _claim(activity, occurrence.start, answer.user):
                continue
            try:
                _send(occurrence, answer)
            except Exception:
                # Give the claim back so the next run tries again.
                ReminderSent.objects.filter(
                    activity=activity, occurrence_start=occurrence.start, user=answer.user
                ).delete()
                raise
            sent += 1
    return sent


def _send(occurrence, answer):
    user = answer.user
    zone = user.time_zone or "UTC"
    with timezone.override(zone):
        context = {
            "occurrence": occurrence,
            "activity": occurrence.activity,
            "user": user,
            "answer": answer,
            "url": f"{settings.SITE_URL}{occurrence.url}",
            "SITE_NAME": settings.SITE_NAME,
        }
        body = render_to_string("calendar_app/email/reminder.txt", context)
    send_mail(
        f"[{settings.SITE_NAME}] Tomorrow: {occurrence.activity.title}",
        body,
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )
