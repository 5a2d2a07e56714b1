"""Activities on a community's calendar, their recurrence, responsibilities, RSVPs and feed tokens.

Times are stored in UTC. A repeating activity keeps the organizer's time zone
(``time_zone``) so its rule is expanded on local wall-clock time: "second
Tuesday 4pm America/Chicago" stays 4pm across daylight-saving changes.
"""

import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.rrule import rrulestr
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.models import District, validate_time_zone
from calendar_app.recurrence import MAX_YEARS, describe_rule, safe_rule, starts_between
from communities.models import Community, FocusArea
from core.links import kept_reverse

OCCURRENCE_KEY_FORMAT = "%Y%m%dT%H%M%SZ"
# A series shows at most this many dates in one window (a year of daily dates fits).
MAX_OCCURRENCES_PER_WINDOW = 400


def occurrence_key(moment):
    """The URL-safe name of an occurrence: its original start in UTC, e.g. ``20260310T220000Z``."""
    return moment.astimezone(zoneinfo.ZoneInfo("UTC")).strftime(OCCURRENCE_KEY_FORMAT)


def parse_occurrence_key(key):
    """The UTC datetime a key names, or ``None`` when it is not one."""
    try:
        return datetime.strptime(key or "", OCCURRENCE_KEY_FORMAT).replace(tzinfo=zoneinfo.ZoneInfo("UTC"))
    except ValueError:
        return None


class Activity(models.Model):
    class Kind(models.TextChoices):
        CHAT = "chat", "Online chat"
        WEBINAR = "webinar", "Webinar"
        SITE_VISIT = "site_visit", "Site visit"
        MEETING = "meeting", "Meeting"
        DEADLINE = "deadline", "Deadline"
        OTHER = "other", "Other"

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=5000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.MEETING)
    start = models.DateTimeField()
    end = models.DateTimeField()
    all_day = models.BooleanField(default=False)
    # The zone the organizer planned in; the recurrence is expanded in it.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    location = models.CharField(max_length=300, blank=True, help_text="Where a site visit or meeting happens.")
    meeting_url = models.URLField("online meeting link", max_length=500, blank=True)
    focus_area = models.ForeignKey(
        FocusArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="organized_activities"
    )
    # An RFC 5545 RRULE value without the "RRULE:" prefix; empty for a one-off activity.
    recurrence = models.CharField(max_length=500, blank=True)
    # The first start and last end of any occurrence (moved ones included); a
    # null span_end is a rule without an end. Kept by services for range queries.
    span_start = models.DateTimeField(editable=False)
    span_end = models.DateTimeField(null=True, blank=True, editable=False)
    # The first occurrence (not cancelled, moved ones where they moved to) still running at
    # ``next_as_of``: the "Coming up" panel and "What needs me" take the soonest activities
    # by ``next_start`` from an index instead of expanding every series. Kept by services on
    # every change and refreshed nightly (``refresh_next_occurrences``); ``next_as_of`` null:
    # never worked out, and a known ``next_as_of`` with a null ``next_start``: no date left.
    next_start = models.DateTimeField(null=True, blank=True, editable=False)
    next_end = models.DateTimeField(null=True, blank=True, editable=False)
    next_as_of = models.DateTimeField(null=True, blank=True, editable=False)
    # RFC 5545 SEQUENCE: services raise it on every change calendars must pick up.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    # Filled by a PostgreSQL trigger (title, description, location) for site search; NULL on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["start"]
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="activity_ends_after_it_starts"),
        ]
        indexes = [
            models.Index(fields=["community", "span_start", "span_end"]),
            models.Index(fields=["community", "next_start"], name="activity_next_start"),
            # Site search ranks the newest matches.
            models.Index(fields=["-created_at"], name="activity_created"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return kept_reverse("calendar_app:activity", kwargs={"slug": self.community.slug, "pk": self.pk})

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def is_recurring(self):
        return bool(self.recurrence)

    @property
    def duration(self):
        return self.end - self.start

    @property
    def recurrence_text(self):
        return describe_rule(self.recurrence, self.zone) if self.recurrence else ""

    def rule(self):
        """The dateutil rule, anchored on the local start so it keeps wall-clock time across DST."""
        return rrulestr(safe_rule(self.recurrence), dtstart=self.start.astimezone(self.zone))

    def original_starts_between(self, start, end, limit=None):
        """Original (unmoved) starts of occurrences overlapping [start, end), in UTC, at most ``limit``.

        Expanded lazily within the window: never more than ``limit`` (default
        MAX_OCCURRENCES_PER_WINDOW) dates are computed for one page.
        """
        if not self.is_recurring:
            return [self.start] if self.start < end and self.end > start else []
        utc = zoneinfo.ZoneInfo("UTC")
        # An occurrence that began before the window may still run into it.
        after = (start - self.duration).astimezone(self.zone)
        limit = MAX_OCCURRENCES_PER_WINDOW if limit is None else limit
        moments = starts_between(self.recurrence, self.start.astimezone(self.zone), after, end, limit=limit)
        return [moment.astimezone(utc) for moment in moments]

    def is_original_start(self, moment):
        if not self.is_recurring:
            return moment == self.start
        local = moment.astimezone(self.zone)
        return bool(self.rule().between(local, local, inc=True))

    def next_occurrence(self, moment, changes=None):
        """The first occurrence ``occurrences_between(moment, ...)`` would list (cancelled ones left out), or None.

        An occurrence still running at any later moment starts no earlier than this one, so it
        stays the series' next date until it ends. ``changes`` are the series' exceptions
        (default ``self.exceptions.all()``); at most one date more than there are exceptions
        is expanded.
        """
        if not self.is_recurring:
            return Occurrence(activity=self, start=self.start, end=self.end) if self.end > moment else None
        changes = list(self.exceptions.all()) if changes is None else list(changes)
        far = self.span_end or moment + timedelta(days=(MAX_YEARS + 10) * 366)
        if far <= moment:
            return None
        found = self.occurrences_between(moment, far, limit=len(changes) + 1, changes=changes)
        return found[0] if found else None

    def occurrences_between(self, start, end, include_cancelled=False, limit=None, changes=None):
        """Occurrences overlapping [start, end) as ``Occurrence`` objects, exceptions applied.

        Uses ``self.exceptions.all()``: prefetch it to keep a list of activities at a fixed query count.
        At most ``limit`` dates of the series are expanded (see original_starts_between).
        """
        if not self.is_recurring:
            if self.start < end and self.end > start:
                return [Occurrence(activity=self, start=self.start, end=self.end)]
            return []
        changes = {change.original_start: change for change in (self.exceptions.all() if changes is None else changes)}
        found = []
        for original in self.original_starts_between(start, end, limit=limit):
            change = changes.get(original)
            if change is not None and change.new_start is not None:
                continue  # shown where it moved to, below
            cancelled = change is not None and change.cancelled
            if cancelled and not include_cancelled:
                continue
            found.append(
                Occurrence(
                    activity=self,
                    start=original,
                    end=original + self.duration,
                    original_start=original,
                    cancelled=cancelled,
                )
            )
        for change in changes.values():
            if change.new_start is not None and change.new_start < end and change.new_end > start:
                if change.cancelled and not include_cancelled:
                    continue
                found.append(
                    Occurrence(
                        activity=self,
                        start=change.new_start,
                        end=change.new_end,
                        original_start=change.original_start,
                        moved=True,
                        cancelled=change.cancelled,
                    )
                )
        return sorted(found, key=lambda occurrence: occurrence.start)


@dataclass(frozen=True)
class Occurrence:
    """One time an activity happens. ``original_start`` names it inside a series (None for one-offs)."""

    activity: Activity
    start: datetime
    end: datetime
    original_start: datetime | None = None
    moved: bool = False
    cancelled: bool = False

    @property
    def community(self):
        return self.activity.community

    @property
    def key(self):
        return occurrence_key(self.original_start) if self.original_start is not None else ""

    @property
    def url(self):
        """The activity page for this occurrence, where members RSVP."""
        base = self.activity.get_absolute_url()
        return f"{base}?occurrence={self.key}" if self.key else base

    @property
    def local_date(self):
        """The date it falls on: the activity's own date for all-day ones, else the viewer's."""
        if self.activity.all_day:
            return self.start.astimezone(self.activity.zone).date()
        return timezone.localtime(self.start).date()

    @property
    def last_day(self):
        """For all-day activities, the last (inclusive) day in the activity's zone."""
        return (self.end.astimezone(self.activity.zone) - timedelta(seconds=1)).date()


class OccurrenceChange(models.Model):
    """An exception to a series: one occurrence cancelled or moved (RECURRENCE-ID in iCalendar)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="exceptions")
    original_start = models.DateTimeField()
    cancelled = models.BooleanField(default=False)
    new_start = models.DateTimeField(null=True, blank=True)
    new_end = models.DateTimeField(null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["original_start"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "original_start"], name="one_change_per_occurrence"),
            models.CheckConstraint(
                condition=(Q(new_start__isnull=True) & Q(new_end__isnull=True))
                | (Q(new_start__isnull=False) & Q(new_end__gte=F("new_start"))),
                name="moved_occurrence_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.activity} on {self.original_start:%Y-%m-%d}"


class DutyState(models.TextChoices):
    """Where a responsibility stands: computed from its status, its due date and today, never stored."""

    OPEN = "open", "Open"
    DUE_SOON = "due_soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    DONE = "done", "Done"


def due_soon_days():
    return settings.RESPONSIBILITY_DUE_SOON_DAYS


def duty_state(*, status, due_date, today, soon_days=None):
    """The one rule: done when marked done; overdue once ``today`` is past the due date; due soon
    from ``soon_days`` (RESPONSIBILITY_DUE_SOON_DAYS) before it; open before that.

    ``ResponsibilityQuerySet.with_state`` writes the same rule in SQL; a test holds them together.
    """
    soon_days = due_soon_days() if soon_days is None else soon_days
    if status == "done":
        return DutyState.DONE
    if due_date < today:
        return DutyState.OVERDUE
    if due_date <= today + timedelta(days=soon_days):
        return DutyState.DUE_SOON
    return DutyState.OPEN


class ResponsibilityQuerySet(models.QuerySet):
    def with_state(self, today=None, soon_days=None):
        """Annotate ``state_value`` (a DutyState) as of ``today`` (default: the viewer's local date)."""
        today = timezone.localdate() if today is None else today
        soon_days = due_soon_days() if soon_days is None else soon_days
        return self.annotate(
            state_value=models.Case(
                models.When(status="done", then=models.Value(DutyState.DONE.value)),
                models.When(due_date__lt=today, then=models.Value(DutyState.OVERDUE.value)),
                models.When(
                    due_date__lte=today + timedelta(days=soon_days), then=models.Value(DutyState.DUE_SOON.value)
                ),
                default=models.Value(DutyState.OPEN.value),
                output_field=models.CharField(max_length=8),
            )
        )

    def not_done(self):
        return self.exclude(status="done")

    def overdue(self, today=None):
        """Open ones whose due date has passed (as of ``today``, default the viewer's local date)."""
        today = timezone.localdate() if today is None else today
        return self.not_done().filter(due_date__lt=today)


class Responsibility(models.Model):
    """What a district (and optionally one person) does for an activity or one of its occurrences."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="responsibilities")
    # The occurrence of a series it belongs to; null: the activity as a whole (every occurrence).
    occurrence_start = models.DateTimeField(null=True, blank=True)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="responsibilities")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="responsibilities"
    )
    task = models.CharField("what they do", max_length=200)
    due_date = models.DateField()
    # The rotation that planned it (one per date of the series); null: assigned by hand.
    rotation = models.ForeignKey(
        "Rotation", null=True, blank=True, on_delete=models.CASCADE, related_name="responsibilities"
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    # When it was last marked done (reports tell on time from late); cleared when reopened.
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name_plural = "responsibilities"
        indexes = [models.Index(fields=["district", "status", "due_date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["rotation", "occurrence_start"],
                condition=Q(rotation__isnull=False),
                name="one_rotation_duty_per_date",
            ),
        ]

    def __str__(self):
        return f"{self.district}: {self.task}"

    @property
    def is_done(self):
        return self.status == self.Status.DONE

    @property
    def when(self):
        return self.occurrence_start or self.activity.start

    @property
    def state(self):
        """Its DutyState: the ``with_state`` annotation when the query made one, else ``duty_state`` for today."""
        value = self.__dict__.get("state_value")
        if value is not None:
            return DutyState(value)
        return duty_state(status=self.status, due_date=self.due_date, today=timezone.localdate())

    @property
    def url(self):
        """The activity page, at its date when it belongs to one date of a series."""
        base = self.activity.get_absolute_url()
        return f"{base}?occurrence={occurrence_key(self.occurrence_start)}" if self.occurrence_start else base

    @property
    def is_overdue(self):
        return self.state == DutyState.OVERDUE

    @property
    def headline(self):
        """ "Riverside USD prepares the agenda for the February planning meeting": who, what, for what."""
        return f"{self.district.name} {self.task} for {self.activity.title}"


class ResponsibilityReminder(models.Model):
    """That the reminder of one stage went out for a responsibility: the claim that makes it once only."""

    class Stage(models.TextChoices):
        BEFORE = "before", "Before the due date"
        OVERDUE = "overdue", "After the due date passed"

    responsibility = models.ForeignKey(Responsibility, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=8, choices=Stage.choices)
    # Who were told (user ids), for the record; the notifications app holds each person's row.
    recipients = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["responsibility", "stage"], name="one_reminder_per_duty_and_stage"),
        ]

    def __str__(self):
        return f"{self.responsibility}: {self.get_stage_display()}"


class Rotation(models.Model):
    """A duty that passes from district to district, one date of a series at a time.

    Its responsibilities are planned by ``calendar_app.services.sync_rotation``: the
    date at position ``i`` of the series (counting from ``anchor``) goes to
    ``districts[i % len(districts)]``. Dates keep their district once planned, so
    cancelling one date does not shift the others, and a change of the rotation
    re-plans only dates still to come.
    """

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="rotations")
    task = models.CharField("what they do", max_length=200)
    days_before = models.PositiveSmallIntegerField(
        "due days before each date", default=0, help_text="0: due on the day itself."
    )
    # The original start of the date that goes to the first district in the order.
    anchor = models.DateTimeField()
    # Dates a leader deliberately left without a district (occurrence keys); shown as gaps.
    left_open = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.activity}: {self.task}"

    def ordered_districts(self):
        """The districts in turn order (uses the prefetched ``turns``)."""
        return [turn.district for turn in sorted(self.turns.all(), key=lambda turn: turn.position)]


class RotationTurn(models.Model):
    """One district's place in a rotation's order."""

    rotation = models.ForeignKey(Rotation, on_delete=models.CASCADE, related_name="turns")
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="rotation_turns")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rotation", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rotation", "position"], name="one_district_per_turn"),
        ]

    def __str__(self):
        return f"{self.rotation}: {self.position + 1}. {self.district}"


class RSVP(models.Model):
    class Response(models.TextChoices):
        GOING = "going", "Going"
        MAYBE = "maybe", "Maybe"
        NOT_GOING = "not_going", "Not going"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="rsvps")
    # The original start of the occurrence in a series; null for a one-off activity.
    occurrence_start = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rsvps")
    response = models.CharField(max_length=10, choices=Response.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["updated_at"]
        verbose_name = "RSVP"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user", "occurrence_start"],
                condition=Q(occurrence_start__isnull=False),
                name="one_rsvp_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["activity", "user"], condition=Q(occurrence_start__isnull=True), name="one_rsvp_per_activity"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.response} to {self.activity}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class FeedToken(models.Model):
    """A person's secret calendar-feed link: it opens their members-only communities' feeds."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Calendar feed of {self.user}"


class Attendance(models.Model):
    """That ``user`` was at one occurrence of an activity: marked by its host or a leader, or a check-in."""

    class Source(models.TextChoices):
        MARKED = "marked", "Marked by the host"
        CHECK_IN = "check_in", "Checked in"

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances")
    # The original start of the occurrence in a series; null for a one-off activity.
    occurrence_start = models.DateTimeField(null=True, blank=True)
    # When that occurrence began (moved ones included): records and reports range over it.
    attended_on = models.DateTimeField()
    # Its length when it was kept, in minutes: a later edit of the activity does not rewrite records.
    minutes = models.PositiveIntegerField(default=0)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendances")
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MARKED)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attended_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user", "occurrence_start"],
                condition=Q(occurrence_start__isnull=False),
                name="one_attendance_per_occurrence",
            ),
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=Q(occurrence_start__isnull=True),
                name="one_attendance_per_activity",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "attended_on"], name="attendance_user_when"),
            models.Index(fields=["activity", "occurrence_start"], name="attendance_occurrence"),
        ]

    def __str__(self):
        return f"{self.user} at {self.activity} on {self.attended_on:%Y-%m-%d}"

    @property
    def hours(self):
        return round(self.minutes / 60, 2)
