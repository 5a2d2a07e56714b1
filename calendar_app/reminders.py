"""Reminder emails a day ahead, through the mail helper: one delivery row per occurrence and person.

The row's key names the activity, the occurrence and the person, so an hourly run that sees
the same occurrence again finds the row and sends nothing twice.
"""

from datetime import timedelta

from django.utils import timezone

from calendar_app.models import RSVP
from calendar_app.selectors import activities_overlapping, expand
from communities.models import Membership
from core import dates, mail
from core.links import absolute_url
from core.models import EmailDelivery
from core.panels import collect

REMIND_AHEAD = timedelta(hours=24)


def reminder_key(occurrence, user_id):
    return f"reminder:activity={occurrence.activity.pk}:at={occurrence.start:%Y%m%dT%H%M%SZ}:to={user_id}"


def send_due_reminders(*, now=None):
    """Email everyone who said going or maybe to an occurrence starting in the next 24 hours.

    Returns core.mail's Result (sent, failed, retry...).
    """
    now = now or timezone.now()
    occurrences = expand(activities_overlapping(start=now, end=now + REMIND_AHEAD), now, now + REMIND_AHEAD)
    occurrences = [o for o in occurrences if o.start >= now]
    if not occurrences:
        return mail.Result()
    activity_ids = {o.activity.pk for o in occurrences}
    rsvps = (
        RSVP.objects.filter(activity_id__in=activity_ids, response__in=[RSVP.Response.GOING, RSVP.Response.MAYBE])
        .filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
    )
    members = set(
        Membership.objects.filter(community__activities__in=activity_ids).values_list("community_id", "user_id")
    )
    by_key = {}
    for answer in rsvps:
        by_key.setdefault((answer.activity_id, answer.occurrence_start), []).append(answer)
    due = [
        (occurrence, answer)
        for occurrence in occurrences
        for answer in by_key.get((occurrence.activity.pk, occurrence.original_start), [])
        # Someone who left the community: members-only details stay with members.
        if (occurrence.activity.community_id, answer.user_id) in members
    ]
    keys = [reminder_key(occurrence, answer.user_id) for occurrence, answer in due]
    known = set(EmailDelivery.objects.filter(key__in=keys).values_list("key", flat=True))
    emails = [
        _compose(occurrence, answer, now=now, key=key)
        for (occurrence, answer), key in zip(due, keys, strict=True)
        if key not in known
    ]
    mail.record(emails)
    # Rows made by an earlier run that failed for a passing reason are tried again here too.
    return mail.deliver(EmailDelivery.objects.filter(key__in=keys))


def when_words(occurrence, *, zone, now):
    """How the reminder names the time, in the recipient's zone with the zone named (core.dates styles).

    ``label`` for the subject ("Today at 3:00 PM CST"), ``relative`` for a sentence ("today"),
    ``full`` for the body ("Tue, Dec 1, 2026, 3:00 PM CST (America/Chicago)").
    """
    with timezone.override(zone):
        today = timezone.localtime(now).date()
        day = occurrence.local_date
        if day == today:
            relative = "today"
        elif day == today + timedelta(days=1):
            relative = "tomorrow"
        else:
            relative = f"on {dates.day(day)}"
        named = relative.removeprefix("on ")
        if occurrence.activity.all_day:
            return {
                "label": f"{named[:1].upper()}{named[1:]} (all day)",
                "relative": relative,
                "full": f"{dates.day(day)} (all day)",
            }
        clock = dates.clock(occurrence.start)
        zone_suffix = "" if dates.zone_name(occurrence.start) == zone else f" ({zone})"
        return {
            "label": f"{named[:1].upper()}{named[1:]} at {clock}",
            "relative": relative,
            "full": f"{dates.when(occurrence.start)}{zone_suffix}",
        }


def _compose(occurrence, answer, *, now, key):
    user = answer.user
    zone = user.time_zone or "UTC"
    context = {
        "occurrence": occurrence,
        "activity": occurrence.activity,
        "user": user,
        "answer": answer,
        "when": when_words(occurrence, zone=zone, now=now),
        "url": absolute_url(occurrence.url),
        # Apps above the calendar add their links (the chat room) through this slot.
        "links": collect("reminder_links", activity=occurrence.activity),
    }
    return mail.compose(
        kind="reminder",
        template="calendar_app/email/reminder",
        to=user.email,
        key=key,
        context=context,
        ref=("activity", occurrence.activity.pk),
    )
