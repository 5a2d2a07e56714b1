"""Every write on the calendar. Keyword-only, one transaction, permission checked here."""

import hashlib
import hmac
import re
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from calendar_app.models import RSVP, Activity, FeedToken, OccurrenceChange, Responsibility
from calendar_app.recurrence import check_rule, last_occurrence_start
from communities.models import Community, Membership
from communities.permissions import Access
from core.text import render_markdown

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


def _require(access: Access, allowed, message):
    if not allowed:
        raise PermissionDenied(message)


def _refresh_span(activity):  # Activity; its occurrence changes are read with loose types
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


def _validate(activity):  # Activity (mypy does not narrow focus_area by focus_area_id)
    if activity.focus_area_id and activity.focus_area.community_id != activity.community_id:
        raise ValidationError({"focus_area": "Pick a focus area of this community."})
    if activity.end < activity.start:
        raise ValidationError({"end": "The end must be after the start."})
    check_rule(activity.recurrence, activity.start.astimezone(activity.zone))
    activity.full_clean(exclude=["span_start", "span_end", "community", "organizer"])


@transaction.atomic
def schedule_activity(*, access: Access, responsibility: dict | None = None, **fields):
    """Create an activity (and optionally its first responsibility). District leaders and moderators only.

    ``responsibility`` is a dict of ``add_responsibility`` arguments (district, task, assignee, due_date).
    """
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can schedule.")
    activity = Activity(community=access.community, organizer=access.user, **fields)
    _validate(activity)
    activity.description_html = render_markdown(activity.description)
    _refresh_span(activity)
    activity.save()
    if responsibility:
        add_responsibility(access=access, activity=activity, **responsibility)
    return activity


@transaction.atomic
def update_activity(*, access: Access, activity: Activity, **fields):
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
    if (activity.start, activity.recurrence, activity.time_zone) != timing_before:
        activity.exceptions.all().delete()
    activity.description_html = render_markdown(activity.description)
    activity.sequence = F("sequence") + 1
    activity.updated_at = timezone.now()
    _refresh_span(activity)
    activity.save()
    activity.refresh_from_db()
    return activity


@transaction.atomic
def delete_activity(*, access: Access, activity: Activity):
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can delete.")
    if activity.community_id != access.community.pk:
        raise PermissionDenied("That activity belongs to another community.")
    activity.delete()


def _check_occurrence(activity: Activity, original_start):
    if original_start is None or not activity.is_recurring or not activity.is_original_start(original_start):
        raise ValidationError("That date is not one of this activity's dates.")


def _bump(activity: Activity):
    Activity.objects.filter(pk=activity.pk).update(sequence=F("sequence") + 1, updated_at=timezone.now())
    activity.refresh_from_db(fields=["sequence", "updated_at"])


@transaction.atomic
def cancel_occurrence(*, access: Access, activity: Activity, original_start):
    """Cancel one date of a series (an EXDATE in feeds); idempotent."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can cancel.")
    _check_occurrence(activity, original_start)
    change, _ = OccurrenceChange.objects.get_or_create(activity=activity, original_start=original_start)
    change.cancelled = True
    change.changed_by = access.user
    change.changed_at = timezone.now()
    change.save()
    _bump(activity)
    return change


@transaction.atomic
def restore_occurrence(*, access: Access, activity: Activity, original_start):
    """Undo a cancellation or a move of one date of a series."""
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can do that.")
    _check_occurrence(activity, original_start)
    OccurrenceChange.objects.filter(activity=activity, original_start=original_start).delete()
    _refresh_span(activity)
    activity.save(update_fields=["span_start", "span_end"])
    _bump(activity)


@transaction.atomic
def move_occurrence(*, access: Access, activity: Activity, original_start, new_start):
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
    return change


@transaction.atomic
def add_responsibility(
    *, access: Access, activity: Activity, district, task, assignee=None, occurrence_start=None, due_date=None
):
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
    return responsibility


def may_update_responsibility(access: Access, responsibility: Responsibility):
    """Schedulers, the person it is assigned to, and members of its district may mark it done."""
    if not access.is_authenticated:
        return False
    user = access.user
    return (
        access.may_schedule
        or responsibility.assignee_id == user.pk
        or (access.is_member and user.district_id is not None and user.district_id == responsibility.district_id)
    )


@transaction.atomic
def set_responsibility_status(*, access: Access, responsibility: Responsibility, status):
    _require(
        access,
        may_update_responsibility(access, responsibility),
        "Only the district it is assigned to, or the community's leaders, can change it.",
    )
    if status not in Responsibility.Status.values:
        raise ValidationError({"status": "Pick open or done."})
    responsibility.status = status
    responsibility.save(update_fields=["status"])
    return responsibility


@transaction.atomic
def delete_responsibility(*, access: Access, responsibility: Responsibility):
    _require(access, access.may_schedule, "Only district leaders and moderators of this community can remove it.")
    responsibility.delete()


@transaction.atomic
def respond(*, access: Access, activity: Activity, occurrence_start, response):
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


def feed_token_for(*, user: User):
    """The person's feed token (a string), or None if they have none yet.

    Every account gets one when it is created (calendar_app/signals.py), so pages
    only read it: no GET writes to the database.
    """
    return FeedToken.objects.filter(user=user).values_list("token", flat=True).first()


# A feed token is URL-safe base64 (secrets.token_urlsafe); anything else is refused unread.
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def _community_digest(secret, community_id):
    return hmac.new(secret.encode(), f"community-feed:{community_id}".encode(), hashlib.sha256).hexdigest()[:32]


def community_feed_token(*, user: User, community: Community):
    """The token of ``user``'s link to ``community``'s feed: it opens that feed only, never another.

    Made from the person's secret with an HMAC, so it reveals nothing of the secret (which
    opens the personal feed of all their communities), stops working when they reset it,
    and needs no row of its own (pages never write on GET). None without a secret yet.
    """
    feed = FeedToken.objects.filter(user=user).values_list("pk", "token").first()
    if feed is None:
        return None
    return f"{feed[0]}.{_community_digest(feed[1], community.pk)}"


def community_feed_reader(*, community: Community, token: str):
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


def personal_feed_owner(*, token: str):
    """The active account whose personal-feed secret ``token`` is, or None."""
    if not _TOKEN_RE.match(token or ""):
        return None
    feed = FeedToken.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed.user if feed is not None else None


@transaction.atomic
def reset_feed_token(*, user: User):
    """Replace the secret: the personal link and every community link made from it stop working."""
    FeedToken.objects.filter(user=user).delete()
    return FeedToken.objects.create(user=user)
