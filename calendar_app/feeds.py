"""RFC 5545 calendars built with the icalendar library, for subscriptions and "add to calendar".

One VEVENT per activity with a stable UID; a series carries its RRULE, an EXDATE
for each cancelled date and a RECURRENCE-ID override for each moved one. Times
carry the activity's TZID and the calendar includes the VTIMEZONE it needs.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event, vDuration, vRecur

from calendar_app.models import Activity
from calendar_app.recurrence import safe_rule
from core.links import absolute_url, site_host

PRODID = "-//CoP Forum//Calendar//EN"


def uid_for(activity):
    return f"activity-{activity.pk}@{site_host()}"


def _description(activity):
    lines = []
    if activity.description:
        lines.append(activity.description)
    if activity.meeting_url:
        lines.append(f"Join online: {activity.meeting_url}")
    lines.append(f"Details and RSVP: {absolute_url(activity.get_absolute_url())}")
    return "\n\n".join(lines)


def _set_times(event, activity, start, end):
    zone = activity.zone
    if activity.all_day:
        event.add("dtstart", start.astimezone(zone).date())
        event.add("dtend", end.astimezone(zone).date() if end > start else start.astimezone(zone).date() + timedelta(1))
    else:
        event.add("dtstart", start.astimezone(zone))
        event.add("dtend", end.astimezone(zone))


def _recurrence_id(activity, original_start):
    local = original_start.astimezone(activity.zone)
    return local.date() if activity.all_day else local


def _base_event(activity):
    event = Event()
    event.add("uid", uid_for(activity))
    event.add("dtstamp", activity.updated_at)
    event.add("created", activity.created_at)
    event.add("last-modified", activity.updated_at)
    event.add("sequence", activity.sequence)
    event.add("summary", activity.title)
    event.add("description", _description(activity))
    event.add("url", absolute_url(activity.get_absolute_url()))
    event.add("categories", [activity.get_kind_display()])
    location = activity.location or activity.meeting_url
    if location:
        event.add("location", location)
    return event


def events_for(activity):
    """The VEVENTs of one activity: the master and one override per moved date."""
    master = _base_event(activity)
    _set_times(master, activity, activity.start, activity.end)
    if not activity.is_recurring:
        return [master]
    master.add("rrule", vRecur.from_ical(safe_rule(activity.recurrence)))
    changes = list(activity.exceptions.all())
    cancelled = [c.original_start for c in changes if c.cancelled]
    if cancelled:
        master.add("exdate", [_recurrence_id(activity, moment) for moment in cancelled])
    events = [master]
    for change in changes:
        if change.new_start is None or change.cancelled:
            continue
        override = _base_event(activity)
        override.add("recurrence-id", _recurrence_id(activity, change.original_start))
        _set_times(override, activity, change.new_start, change.new_end)
        events.append(override)
    return events


def build_calendar(activities, *, name):
    """A VCALENDAR with the activities (exceptions prefetched) and the VTIMEZONEs they use."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    # An X- property has no known type: without vDuration it would print as "1:00:00".
    cal.add("x-published-ttl", vDuration(timedelta(hours=1)))
    earliest = None
    for activity in activities:
        for event in events_for(activity):
            cal.add_component(event)
        if earliest is None or activity.span_start < earliest:
            earliest = activity.span_start
    if earliest is not None:
        cal.add_missing_timezones(first_date=(earliest - timedelta(days=366)).date())
    return cal.to_ical()


def feed_activities(*, communities_q):
    """Activities of the given communities that are not over for more than a year, for a feed: two queries."""
    since = timezone.now() - timedelta(days=366)
    return (
        Activity.objects.filter(communities_q)
        .filter(Q(span_end__isnull=True) | Q(span_end__gte=since))
        .select_related("community")
        .prefetch_related("exceptions")
        .order_by("span_start", "pk")
    )
