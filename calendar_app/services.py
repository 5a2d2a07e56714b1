"""Every write on the calendar. Keyword-only, one transaction, permission checked here."""

import hashlib
import hmac
import re
from datetime import UTC, timedelta

from dateutil.rrule import rrulestr
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from calendar_app import signals
from calendar_app.duty_reminders import notify_duty
from calendar_app.models import (
    RSVP,
    Activity,
    Attendance,
    FeedToken,
    OccurrenceChange,
    Responsibility,
    Rotation,
    RotationTurn,
    occurrence_key,
)
from calendar_app.recurrence import MAX_COUNT, check_rule, last_occurrence_start
from calendar_app.selectors import duty_recipients
from communities.models import Membership
from core.text import render_markdown
from notifications import kinds

ACTIVITY_FIELDS = (
    "title",
    "description",
    "kind",
    "start",
    "end",
    "all_day",
    "time_zone",
    "location",
    "meeting_url",
    "focus_area",
    "recurrence",
)


def _require(access, allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _refresh_span(activity):
    """Keep span_start/span_end covering every occurrence, moved ones included."""
    starts, ends = [activity.start], [activity.end]
    if activity.is_recurring:
        last = last_occurrence_start(activity.recurrence, activity.start.astimezone(activity.zone))
        ends = [last + activity.duration] if last is not None else [None]
    if activity.pk:
        for change in activity.exceptions.exclude(new_start=None):
            starts.append(change.new_start)
            ends.append(change.new_end)
    activity.span_start = min(starts)
    activity.span_end = None if None in ends else max(ends)


def _validate(activity):
    if activity.focus_area_id and activity.focus_area.community_id != activity.community_id:
        raise ValidationError({"focus_area": "Pick a focus area of this community."})
    if activity.end < activity.start:
        raise ValidationError({"end": "The end must be after the start."})
    check_rule(activity.recurrence, activity.start.astimezone(activity.zone))
    activity.full_clean(exclude=["span_start", "span_end", "community", "organizer"])


@transaction.atomic
def schedule_activity(*, access, responsibility=None, rotation=None, **fields):
    """Create an activity (and optionally its first responsibility or a rotating duty). Schedulers only.

    ``responsibility`` is a dict of ``add_responsibility`` arguments (district, task, assignee, due_date);
    ``rotation`` one of ``create_rotation`` arguments (task, districts, days_before).
    """
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can schedule.")
    activity = Activity(community=access.community, organizer=access.user, **fields)
    _validate(activity)
    activity.description_html = render_markdown(activity.description)
    _refresh_span(activity)
    activity.save()
    if responsibility:
        add_responsibility(access=access, activity=activity, **responsibility)
    if rotation:
        create_rotation(access=access, activity=activity, **rotation)
    _announce(signals.activity_created, activity)
    return activity


def _announce(signal, activity):
    transaction.on_commit(lambda: signal.send(sender=Activity, activity=activity), robust=True)


@transaction.atomic
def update_activity(*, access, activity, **fields):
    """Change an activity; raises SEQUENCE so subscribed calendars update it.

    Changing when a series happens drops its per-date exceptions, which no longer name a date in it.
    """
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can edit.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    timing_before = (activity.start, activity.recurrence, activity.time_zone)
    for name, value in fields.items():
        if name not in ACTIVITY_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(activity, name, value)
    _validate(activity)
    timing_changed = (activity.start, activity.recurrence, activity.time_zone) != timing_before
    if timing_changed:
        # Extending or shortening a series keeps the exceptions of dates it still has.
        gone = [c.pk for c in activity.exceptions.all() if not activity.is_original_start(c.original_start)]
        activity.exceptions.filter(pk__in=gone).delete()
    activity.description_html = render_markdown(activity.description)
    activity.sequence = F("sequence") + 1
    activity.updated_at = timezone.now()
    _refresh_span(activity)
    activity.save()
    activity.refresh_from_db()
    if timing_changed:
        _sync_rotations(activity)
    _announce(signals.activity_changed, activity)
    return activity


@transaction.atomic
def delete_activity(*, access, activity):
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can delete.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    activity.delete()


def _check_occurrence(activity, original_start):
    if original_start is None or not activity.is_recurring or not activity.is_original_start(original_start):
        raise ValidationError("That date is not one of this activity's dates.")


def _bump(activity):
    Activity.objects.filter(pk=activity.pk).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    activity.refresh_from_db(fields=["sequence", "updated_at"])


@transaction.atomic
def cancel_occurrence(*, access, activity, original_start):
    """Cancel one date of a series (an EXDATE in feeds); idempotent."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can cancel.")
    _check_occurrence(activity, original_start)
    change, _ = OccurrenceChange.objects.get_or_create(activity=activity, original_start=original_start)
    change.cancelled = True
    change.changed_by = access.user
    change.changed_at = timezone.now()
    change.save()
    _bump(activity)
    _sync_rotations(activity)
    return change


@transaction.atomic
def restore_occurrence(*, access, activity, original_start):
    """Undo a cancellation or a move of one date of a series."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can do that.")
    _check_occurrence(activity, original_start)
    OccurrenceChange.objects.filter(activity=activity, original_start=original_start).delete()
    _refresh_span(activity)
    activity.save(update_fields=["span_start", "span_end"])
    _bump(activity)
    _sync_rotations(activity)


@transaction.atomic
def move_occurrence(*, access, activity, original_start, new_start):
    """Move one date of a series, keeping its length (a RECURRENCE-ID override in feeds)."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can move.")
    _check_occurrence(activity, original_start)
    change, _ = OccurrenceChange.objects.get_or_create(activity=activity, original_start=original_start)
    change.cancelled = False
    change.new_start = new_start
    change.new_end = new_start + activity.duration
    change.changed_by = access.user
    change.changed_at = timezone.now()
    change.save()
    _refresh_span(activity)
    activity.save(update_fields=["span_start", "span_end"])
    _bump(activity)
    _sync_rotations(activity)
    return change


@transaction.atomic
def add_responsibility(*, access, activity, district, task, assignee=None, occurrence_start=None, due_date=None):
    """Assign a responsibility to a district of the community (and optionally one of its members)."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can assign.")
    community = access.community
    if activity.community_id != community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    if district is None or not community.districts.filter(pk=district.pk).exists():
        raise ValidationError({"district": "Pick one of this community's districts."})
    if assignee is not None and not Membership.objects.filter(community=community, user=assignee).exists():
        raise ValidationError({"assignee": "Pick a member of this community."})
    if occurrence_start is not None:
        _check_occurrence(activity, occurrence_start)
    when = occurrence_start or activity.start
    responsibility = Responsibility(
        activity=activity,
        occurrence_start=occurrence_start,
        district=district,
        assignee=assignee,
        task=(task or "").strip(),
        due_date=due_date or when.astimezone(activity.zone).date(),
    )
    responsibility.full_clean()
    responsibility.save()
    _tell_district_assigned([responsibility], actor=access.user)
    return responsibility


def _tell_district_assigned(duties, *, actor, event="assigned"):
    """Notify who answers for each duty that their district has it (after commit, once per duty and person)."""
    recipients = duty_recipients(duties)
    for duty in duties:
        notify_duty(
            duty,
            kind=kinds.RESPONSIBILITY_ASSIGNED,
            recipients=recipients.get(duty.pk, []),
            event=f"{event}:{duty.district_id}",
            actor=actor,
        )


def may_update_responsibility(access, responsibility):
    """Confirmed members of its district (its district leaders among them) and the community's managers."""
    return access.is_authenticated and access.may_act_for_district(responsibility.district_id)


@transaction.atomic
def set_responsibility_status(*, access, responsibility, status):
    _require(
        access,
        may_update_responsibility(access, responsibility),
        "Only confirmed members of the district it is assigned to, or the community's managers, can change it.",
    )
    if status not in Responsibility.Status.values:
        raise ValidationError({"status": "Pick open or done."})
    if status != responsibility.status:
        responsibility.done_at = timezone.now() if status == Responsibility.Status.DONE else None
    responsibility.status = status
    responsibility.save(update_fields=["status", "done_at"])
    return responsibility


@transaction.atomic
def delete_responsibility(*, access, responsibility):
    """Remove a responsibility; a rotation's date stays without a district (a gap on the plan) until filled."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can remove it.")
    if responsibility.rotation_id and responsibility.occurrence_start:
        rotation = Rotation.objects.select_for_update().get(pk=responsibility.rotation_id)
        key = occurrence_key(responsibility.occurrence_start)
        if key not in rotation.left_open:
            rotation.left_open = [*rotation.left_open, key]
            rotation.save(update_fields=["left_open"])
    responsibility.delete()


# -- rotations -------------------------------------------------------------------

# A series that never ends is planned this far ahead (and further each time it is saved).
ROTATION_HORIZON = timedelta(days=731)


def series_dates(activity, *, now=None):
    """Every original start of a series in UTC, in order: at most MAX_COUNT, and ROTATION_HORIZON ahead if endless."""
    utc = UTC
    limit_at = max(now or timezone.now(), activity.start) + ROTATION_HORIZON
    found = []  # type: ignore[var-annotated]  # came with main's merge; type it properly next
    for moment in activity.rule():
        if len(found) >= MAX_COUNT or moment > limit_at:
            break
        found.append(moment.astimezone(utc))
    return found


def _clean_rotation_input(access, activity, task, districts, days_before):
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    if not activity.is_recurring:
        raise ValidationError("A duty rotates over the dates of a repeating activity. Make this one repeat first.")
    errors = {}
    task = (task or "").strip()
    if not task:
        errors["task"] = "Say what the district does, for example “prepares the agenda”."
    elif len(task) > 200:
        errors["task"] = "Keep the task under 200 characters."
    districts = list(districts or [])
    if not districts:
        errors["districts"] = "Pick at least one district to take turns."
    else:
        mine = set(access.community.districts.filter(pk__in=[d.pk for d in districts]).values_list("pk", flat=True))
        if any(d.pk not in mine for d in districts):
            errors["districts"] = "Pick only districts of this community."
    if days_before is None or not 0 <= days_before <= 365:
        errors["days_before"] = "Pick a number of days between 0 and 365."
    if errors:
        raise ValidationError(errors)
    return task, districts


def _set_turns(rotation, districts):
    rotation.turns.all().delete()
    RotationTurn.objects.bulk_create(
        RotationTurn(rotation=rotation, district=district, position=i) for i, district in enumerate(districts)
    )


@transaction.atomic
def create_rotation(*, access, activity, task, districts, days_before=0):
    """Rotate a duty through ``districts`` (in that order) over every date of a series. Schedulers only.

    Plans one responsibility per date at once (see sync_rotation) and returns the rotation.
    """
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can plan duties.")
    task, districts = _clean_rotation_input(access, activity, task, districts, days_before)
    rotation = Rotation.objects.create(
        activity=activity, task=task, days_before=days_before, anchor=activity.start, created_by=access.user
    )
    _set_turns(rotation, districts)
    sync_rotation(rotation=rotation)
    _tell_districts_of_rotation(rotation, actor=access.user)
    return rotation


def _tell_districts_of_rotation(rotation, *, actor):
    """Each district of a new rotation hears once, about its first date (not once per date of the year)."""
    firsts: dict[int, Responsibility] = {}
    for duty in rotation.responsibilities.select_related("activity", "activity__community", "district").order_by(
        "due_date", "pk"
    ):
        firsts.setdefault(duty.district_id, duty)
    _tell_district_assigned(list(firsts.values()), actor=actor, event=f"rotation:{rotation.pk}")


@transaction.atomic
def update_rotation(*, access, rotation, task, districts, days_before=0):
    """Change a rotation: dates still to come are planned again from the first district; past dates keep theirs."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can plan duties.")
    activity = rotation.activity
    task, districts = _clean_rotation_input(access, activity, task, districts, days_before)
    rotation = Rotation.objects.select_for_update().get(pk=rotation.pk)
    now = timezone.now()
    upcoming = [moment for moment in series_dates(activity) if moment >= now]
    rotation.task, rotation.days_before = task, days_before
    if upcoming:
        rotation.anchor = upcoming[0]
        rotation.left_open = [key for key in rotation.left_open if key < occurrence_key(upcoming[0])]
    rotation.save()
    _set_turns(rotation, districts)
    sync_rotation(rotation=rotation, replan_from=now)
    return rotation


@transaction.atomic
def delete_rotation(*, access, rotation):
    """Stop a rotation: its open duties go, the done ones stay as a record."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can plan duties.")
    rotation.responsibilities.filter(status=Responsibility.Status.OPEN).delete()
    rotation.responsibilities.update(rotation=None)
    rotation.delete()


def _due(activity, start, days_before):
    return start.astimezone(activity.zone).date() - timedelta(days=days_before)


def sync_rotation(*, rotation, replan_from=None, now=None):
    """Make the rotation's responsibilities match the series: one per date that is not cancelled.

    A new date gets the district its position gives; a moved date's duty moves its due date; a
    cancelled date's duty goes (and comes back when the date is restored); a date no longer in the
    series loses its duty. Dates already planned keep their district unless they start at or
    after ``replan_from`` and are still open. Idempotent; a fixed number of queries plus one write per
    change. Returns the number of duties it planned for dates that had none.
    """
    activity = Activity.objects.prefetch_related("exceptions").get(pk=rotation.activity_id)
    order = [turn.district for turn in rotation.turns.select_related("district").order_by("position")]
    if not order:
        return 0
    now = now or timezone.now()
    dates = series_dates(activity, now=now)
    changes = {change.original_start: change for change in activity.exceptions.all()}
    anchor_index = dates.index(rotation.anchor) if rotation.anchor in dates else 0
    existing = {r.occurrence_start: r for r in rotation.responsibilities.all()}
    left_open = set(rotation.left_open)
    create, update = [], []
    for i, original in enumerate(dates):
        change = changes.get(original)
        duty = existing.pop(original, None)
        if change is not None and change.cancelled:
            if duty is not None:
                duty.delete()
            continue
        start = change.new_start if change is not None and change.new_start is not None else original
        due = _due(activity, start, rotation.days_before)
        district = order[(i - anchor_index) % len(order)]
        if duty is None:
            if occurrence_key(original) not in left_open:
                create.append(
                    Responsibility(
                        activity=activity,
                        rotation=rotation,
                        occurrence_start=original,
                        district=district,
                        task=rotation.task,
                        due_date=due,
                    )
                )
            continue
        if original < now and start < now:
            continue  # a date that has happened keeps its duty as it was
        changed = duty.due_date != due
        duty.due_date = due
        replan = replan_from is not None and start >= replan_from and not duty.is_done
        if replan and (duty.district_id, duty.task) != (district.pk, rotation.task):
            duty.district, duty.task, duty.assignee = district, rotation.task, None
            changed = True
        if changed:
            update.append(duty)
    Responsibility.objects.bulk_create(create)
    if update:
        Responsibility.objects.bulk_update(update, ["district", "task", "assignee", "due_date"])
    # Dates the series no longer has (it was shortened or its timing changed).
    Responsibility.objects.filter(pk__in=[duty.pk for duty in existing.values()]).delete()
    return len(create)


def extend_endless_rotations(*, now=None):
    """Plan the dates that came within ROTATION_HORIZON for every rotation of a series without an end.

    For the beat task: each rotation is locked while it is synced (a second run at the same time waits,
    then finds nothing to do), so running twice plans each date once. Returns how many duties it planned.
    """
    now = now or timezone.now()
    endless = Rotation.objects.filter(activity__span_end__isnull=True).exclude(activity__recurrence="")
    planned = 0
    for rotation_id in endless.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            rotation = Rotation.objects.select_for_update().filter(pk=rotation_id).first()
            if rotation is not None:
                planned += sync_rotation(rotation=rotation, now=now)
    return planned


def _sync_rotations(activity):
    for rotation in Rotation.objects.filter(activity=activity):
        sync_rotation(rotation=rotation)


@transaction.atomic
def assign_rotation_date(*, access, rotation, original_start, district):
    """Fill or change one date of a rotation (a cell of the plan). Schedulers only; a district of the community."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can plan duties.")
    activity = rotation.activity
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    if district is None or not access.community.districts.filter(pk=district.pk).exists():
        raise ValidationError({"district": "Pick one of this community's districts."})
    _check_occurrence(activity, original_start)
    change = activity.exceptions.filter(original_start=original_start).first()
    if change is not None and change.cancelled:
        raise ValidationError("That date is cancelled.")
    start = change.new_start if change is not None and change.new_start is not None else original_start
    duty, created = Responsibility.objects.get_or_create(
        rotation=rotation,
        occurrence_start=original_start,
        defaults={
            "activity": activity,
            "district": district,
            "task": rotation.task,
            "due_date": _due(activity, start, rotation.days_before),
        },
    )
    changed = not created and duty.district_id != district.pk
    if changed:
        duty.district, duty.assignee = district, None
        duty.save(update_fields=["district", "assignee"])
    if created or changed:
        _tell_district_assigned([duty], actor=access.user)
    key = occurrence_key(original_start)
    if key in rotation.left_open:
        rotation.left_open = [k for k in rotation.left_open if k != key]
        rotation.save(update_fields=["left_open"])
    return duty


@transaction.atomic
def respond(*, access, activity, occurrence_start, response):
    """RSVP for one occurrence (``occurrence_start`` None for a one-off). Members only; not past or cancelled."""
    _require(access, access.may_post, "Only members of this community can RSVP. Join it first.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    if response not in RSVP.Response.values:
        raise ValidationError("Pick going, maybe or not going.")
    if activity.is_recurring:
        _check_occurrence(activity, occurrence_start)
        change = activity.exceptions.filter(original_start=occurrence_start).first()
        if change is not None and change.cancelled:
            raise ValidationError("That date is cancelled.")
        ends = change.new_end if change is not None and change.new_end else occurrence_start + activity.duration
    else:
        occurrence_start = None
        ends = activity.end
    if ends < timezone.now() - timedelta(minutes=1):
        raise ValidationError("That activity is over.")
    rsvp, _ = RSVP.objects.update_or_create(
        activity=activity,
        user=access.user,
        occurrence_start=occurrence_start,
        defaults={"response": response, "updated_at": timezone.now()},
    )
    return rsvp


def feed_token_for(*, user):
    """The person's feed token (a string), or None if they have none yet.

    Every account gets one when it is created (calendar_app/signals.py), so pages
    only read it: no GET writes to the database.
    """
    return FeedToken.objects.filter(user=user).values_list("token", flat=True).first()


# A feed token is URL-safe base64 (secrets.token_urlsafe); anything else is refused unread.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _community_digest(secret, community_id):
    return hmac.new(secret.encode(), f"community-feed:{community_id}".encode(), hashlib.sha256).hexdigest()[:32]


def community_feed_token(*, user, community):
    """The token of ``user``'s link to ``community``'s feed: it opens that feed only, never another.

    Made from the person's secret with an HMAC, so it reveals nothing of the secret (which
    opens the personal feed of all their communities), stops working when they reset it,
    and needs no row of its own (pages never write on GET). None without a secret yet.
    """
    feed = FeedToken.objects.filter(user=user).values_list("pk", "token").first()
    if feed is None:
        return None
    return f"{feed[0]}.{_community_digest(feed[1], community.pk)}"


def community_feed_reader(*, community, token):
    """The active member whose community-feed ``token`` this is, or None (wrong, reset, former member, inactive)."""
    feed_id, _, digest = (token or "").partition(".")
    if not feed_id.isascii() or not feed_id.isdigit() or len(feed_id) > 18 or len(digest) != 32:
        return None
    feed = FeedToken.objects.select_related("user").filter(pk=int(feed_id), user__is_active=True).first()
    if feed is None or not hmac.compare_digest(digest, _community_digest(feed.token, community.pk)):
        return None
    if not Membership.objects.filter(user=feed.user, community=community).exists():
        return None
    return feed.user


def personal_feed_owner(*, token):
    """The active account whose personal-feed secret ``token`` is, or None."""
    if not _TOKEN_RE.match(token or ""):
        return None
    feed = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed is not None else None


@transaction.atomic
def reset_feed_token(*, user):
    """Replace the secret: the personal link and every community link made from it stop working."""
    FeedToken.objects.filter(user=user).delete()
    return FeedToken.objects.create(user=user)


# -- attendance ------------------------------------------------------------------

# Members may check in from a little before the start until a while after the end.
CHECK_IN_EARLY = timedelta(minutes=15)
CHECK_IN_LATE = timedelta(minutes=30)
CHECK_IN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread on a screen
CHECK_IN_LENGTH = 6


def may_mark_attendance(access, activity):
    """Its host (the organizer, still a member) or a leader of the community."""
    return access.may_schedule or (
        access.may_post and access.is_authenticated and activity.organizer_id == access.user.pk
    )


def occurrence_times(activity, original_start):
    """``(original_start, start, end)`` of one date (``original_start`` None for a one-off); checks it exists.

    Raises ValidationError for a date that is not one of the activity's, or is cancelled.
    """
    if not activity.is_recurring:
        return None, activity.start, activity.end
    _check_occurrence(activity, original_start)
    change = activity.exceptions.filter(original_start=original_start).first()
    if change is not None and change.cancelled:
        raise ValidationError("That date is cancelled.")
    if change is not None and change.new_start is not None:
        return original_start, change.new_start, change.new_end
    return original_start, original_start, original_start + activity.duration


def check_in_code(activity, original_start):
    """The short code the host shows for one date: derived, so nothing is stored and it never repeats."""
    key = f"{activity.pk}:{original_start.isoformat() if original_start else ''}:{activity.created_at.isoformat()}"
    digest = hmac.new(settings.SECRET_KEY.encode(), f"check-in:{key}".encode(), hashlib.sha256).digest()
    return "".join(CHECK_IN_ALPHABET[b % len(CHECK_IN_ALPHABET)] for b in digest[:CHECK_IN_LENGTH])


def check_in_open(start, end, now=None):
    now = now or timezone.now()
    return start - CHECK_IN_EARLY <= now <= end + CHECK_IN_LATE


def _minutes(activity, start, end):
    # All-day dates (deadlines, whole-day visits) carry no hours of their own.
    return 0 if activity.all_day else max(0, int((end - start).total_seconds() // 60))


@transaction.atomic
def mark_attendance(*, access, activity, occurrence_start, attendees):
    """Set who attended one date that has begun: its host or a leader. Returns the number marked.

    ``attendees`` are users; only members of the community count. People left out are unmarked.
    Re-running with the same list changes nothing.
    """
    _require(access, may_mark_attendance(access, activity), "Only the host or a leader can mark attendance.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    original, start, end = occurrence_times(activity, occurrence_start)
    if start > timezone.now():
        raise ValidationError("That date has not happened yet. Mark attendance once it has started.")
    member_ids = set(
        Membership.objects.filter(community=access.community, user__in=[u.pk for u in attendees]).values_list(
            "user_id", flat=True
        )
    )
    existing = Attendance.objects.filter(activity=activity, occurrence_start=original)
    existing.exclude(user_id__in=member_ids).delete()
    kept = set(existing.values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [
            Attendance(
                activity=activity,
                occurrence_start=original,
                attended_on=start,
                minutes=_minutes(activity, start, end),
                user_id=user_id,
                source=Attendance.Source.MARKED,
                marked_by=access.user,
            )
            for user_id in sorted(member_ids - kept)
        ]
    )
    return len(member_ids)


@transaction.atomic
def check_in(*, access, activity, occurrence_start, code):
    """A member checks in to a date in progress with the host's code. Checking in twice is fine."""
    _require(access, access.may_post, "Only members of this community can check in. Join it first.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    original, start, end = occurrence_times(activity, occurrence_start)
    if not check_in_open(start, end):
        raise ValidationError("Check-in is open only while the session runs.")
    given = (code or "").strip().upper().replace(" ", "")
    if not hmac.compare_digest(given, check_in_code(activity, original)):
        raise ValidationError("That code does not match. Check the code your host is showing.")
    attendance, _ = Attendance.objects.get_or_create(
        activity=activity,
        user=access.user,
        occurrence_start=original,
        defaults={
            "attended_on": start,
            "minutes": _minutes(activity, start, end),
            "source": Attendance.Source.CHECK_IN,
        },
    )
    return attendance


def _without_end(rule):
    return ";".join(part for part in rule.split(";") if part.split("=", 1)[0].strip().upper() not in ("COUNT", "UNTIL"))


@transaction.atomic
def copy_plan_to_next_year(*, access, first):
    """Copy each repeating activity with a rotation that starts in the 12 months from ``first`` to a year later.

    The copy starts on the first date of the same pattern in the same month a year on, has as
    many dates, and rotates the same duty through the same districts. Idempotent: a copy
    already there (same title and start) is not made again. Returns the new activities.
    """
    from calendar_app.selectors import add_months, local_midnight

    _require(access, access.may_schedule, "Only district leaders and moderators of this community can plan duties.")
    start, end = local_midnight(first), local_midnight(add_months(first, 12))
    sources = (
        Activity.objects.filter(community=access.community, start__gte=start, start__lt=end, rotations__isnull=False)
        .exclude(recurrence="")
        .distinct()
        .prefetch_related("rotations__turns__district")
    )
    copies = []
    for source in sources:
        if last_occurrence_start(source.recurrence, source.start.astimezone(source.zone)) is None:
            continue  # a series without an end already runs into next year
        local = source.start.astimezone(source.zone)
        pattern = _without_end(source.recurrence)
        target = local.replace(year=local.year + 1, day=1, hour=0, minute=0, second=0)
        new_local = rrulestr(pattern, dtstart=local).after(target, inc=True)
        if new_local is None:
            continue
        new_start = new_local.astimezone(UTC)
        if Activity.objects.filter(community=access.community, title=source.title, start=new_start).exists():
            continue
        count = len(series_dates(source))
        try:
            copy = schedule_activity(
                access=access,
                title=source.title,
                description=source.description,
                kind=source.kind,
                start=new_start,
                end=new_start + source.duration,
                all_day=source.all_day,
                time_zone=source.time_zone,
                location=source.location,
                meeting_url=source.meeting_url,
                focus_area=source.focus_area,
                recurrence=f"{pattern};COUNT={count}",
            )
        except ValidationError:
            continue  # a custom rule that does not start the same way a year on: leave it to the leader
        for rotation in source.rotations.all():
            create_rotation(
                access=access,
                activity=copy,
                task=rotation.task,
                districts=rotation.ordered_districts(),
                days_before=rotation.days_before,
            )
        copies.append(copy)
    return copies
