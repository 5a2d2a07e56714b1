"""Every write of mentoring: profiles, requests, asking, answering, the pair's space, check-ins, the end.

Services take the viewer's ``access`` and refuse with PermissionDenied, Http404 or ValidationError
(core.refusals); each runs in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from communities.models import FocusArea, Membership
from communities.permissions import Access
from core.refusals import CONFLICT, GONE
from core.text import render_markdown
from core.uploads import inspect_upload
from mentoring import selectors
from mentoring.forms import MentorProfileForm
from mentoring.models import CheckIn, Goal, MentorProfile, MentorRequest, Message, Pairing

MESSAGE_MAX = 5000
NOTE_MAX = 1000


def _check_member(access: Access) -> None:
    if not access.is_member:
        raise PermissionDenied("Only members of this community can take part in mentoring. Join it first.")


def _check_in_pair(pairing: Pairing, user: Any) -> None:
    if user.pk not in (pairing.mentor_id, pairing.mentee_id):
        raise Http404("No pairing found.")


def _check_active(pairing: Pairing) -> None:
    if not pairing.is_active:
        raise ValidationError("This pairing has ended, so nothing more can be added to it.", code=GONE)


def _clean_text(text: str, *, label: str, limit: int, required: bool = False) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError(f"Write {label} first.")
    if len(text) > limit:
        raise ValidationError(f"Keep {label} under {limit:,} characters (it has {len(text):,}).")
    return text


@transaction.atomic
def save_mentor_profile(*, access: Access, form: MentorProfileForm) -> MentorProfile:
    """Create or update the viewer's mentor profile from a valid ``MentorProfileForm``."""
    _check_member(access)
    profile = form.save(commit=False)
    profile.community = access.community
    profile.user = access.user
    profile.full_clean()
    profile.save()
    form.save_m2m()
    return profile


@transaction.atomic
def create_request(
    *,
    access: Access,
    goals: str,
    focus_areas: Iterable[FocusArea] = (),
    grade_band: str = "",
    role: str = "teacher",
    subject: str = "",
    other_district_welcome: bool = True,
    for_district: bool = False,
) -> MentorRequest:
    """The viewer asks for a mentor; a district leader with a district may ask on behalf of it."""
    _check_member(access)
    goals = _clean_text(goals, label="what you want to work on", limit=2000, required=True)
    district = None
    if for_district:
        if not access.is_district_leader or access.user.district_id is None:
            raise PermissionDenied("Only a district leader with a district on their profile can ask for it.")
        district = access.user.district
    if any(area.community_id != access.community.pk for area in focus_areas):
        raise Http404("No focus area found.")
    request = MentorRequest.objects.create(
        community=access.community,
        mentee=access.user,
        goals=goals,
        grade_band=grade_band,
        role=role,
        subject=subject.strip()[:80],
        other_district_welcome=other_district_welcome,
        for_district=district,
    )
    request.focus_areas.set(focus_areas)
    return request


@transaction.atomic
def withdraw_request(*, access: Access, request: MentorRequest) -> MentorRequest:
    """The mentee withdraws an open request; a mentor's pending ask goes with it. Twice is refused (409)."""
    found = MentorRequest.objects.select_for_update().filter(pk=request.pk, mentee=access.user).first()
    if found is None:
        raise Http404("No request found.")
    request = found
    if request.status != MentorRequest.Status.OPEN:
        raise ValidationError("This request is no longer open.", code=CONFLICT)
    request.status = MentorRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    Pairing.objects.filter(request=request, status=Pairing.Status.ASKED).update(status=Pairing.Status.DECLINED)
    return request


def _active_count(profile: MentorProfile) -> int:
    return Pairing.objects.filter(profile=profile, status=Pairing.Status.ACTIVE).count()


@transaction.atomic
def ask_mentor(*, access: Access, request: MentorRequest, profile_id: int, suggested_by: User | None = None) -> Pairing:
    """The mentee (or a leader suggesting a pairing) asks a mentor; the mentor then accepts or declines.

    Refuses asking yourself, a mentor at capacity or not taking mentees, another community's mentor, and a
    request that already waits on a mentor or is matched (409)."""
    if suggested_by is None:
        if request.mentee_id != access.user.pk:
            raise Http404("No request found.")
        _check_member(access)
    elif not access.may_schedule:
        raise PermissionDenied("Only district leaders and moderators of this community can suggest a pairing.")
    request = MentorRequest.objects.select_for_update().get(pk=request.pk)
    if request.community_id != access.community.pk:
        raise Http404("No request found.")
    profile = (
        MentorProfile.objects.filter(community=access.community, pk=profile_id).select_related("user__district").first()
    )
    if profile is None:
        raise Http404("No mentor found.")
    if profile.user_id == request.mentee_id:
        raise ValidationError("You cannot be your own mentor. Pick someone else from the suggestions.")
    if not profile.is_active or not Membership.objects.filter(community=access.community, user=profile.user).exists():
        raise ValidationError(f"{profile.user.name} is not taking mentees right now.")
    if _active_count(profile) >= profile.capacity:
        raise ValidationError(f"{profile.user.name} has no room for another mentee right now. Pick someone else.")
    if request.status != MentorRequest.Status.OPEN:
        raise ValidationError("This request is no longer waiting for a mentor.", code=CONFLICT)
    if Pairing.objects.filter(request=request, status__in=[Pairing.Status.ASKED, Pairing.Status.ACTIVE]).exists():
        raise ValidationError(
            "This request is already waiting for a mentor's answer. You can ask someone else if they decline.",
            code=CONFLICT,
        )
    reasons = next(
        (s.reasons_text for s in selectors.suggestions_for(request=request, limit=1000) if s.profile.pk == profile.pk),
        "",
    )
    return Pairing.objects.create(
        community=access.community,
        request=request,
        mentor=profile.user,
        mentee=request.mentee,
        profile=profile,
        suggested_by=suggested_by,
        reasons=reasons[:300],
    )


@transaction.atomic
def respond(
    *,
    access: Access,
    pairing: Pairing,
    accept: bool,
    note: str = "",
    cadence_days: int = Pairing.Cadence.FORTNIGHTLY,
    now: datetime | None = None,
) -> Pairing:
    """The mentor accepts (within capacity, even when two acceptances race: the profile row is locked) or
    declines with a note. Answering twice is refused (409)."""
    if pairing.mentor_id != access.user.pk or not access.is_member:
        raise Http404("No pairing found.")
    note = _clean_text(note, label="your note", limit=NOTE_MAX)
    profile = MentorProfile.objects.select_for_update().get(pk=pairing.profile_id)
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.status != Pairing.Status.ASKED:
        raise ValidationError("You have already answered this request.", code=CONFLICT)
    pairing.response_note = note
    if not accept:
        pairing.status = Pairing.Status.DECLINED
        pairing.save(update_fields=["status", "response_note"])
        return pairing
    if cadence_days not in Pairing.Cadence.values:
        raise ValidationError("Pick how often you will check in.")
    if _active_count(profile) >= profile.capacity:
        raise ValidationError(
            f"You already have {profile.capacity} mentee{'s' if profile.capacity != 1 else ''}, your capacity. "
            "Raise it on your mentor profile or decline.",
            code=CONFLICT,
        )
    now = now or timezone.now()
    pairing.status = Pairing.Status.ACTIVE
    pairing.started_at = now
    pairing.cadence_days = cadence_days
    pairing.save(update_fields=["status", "response_note", "started_at", "cadence_days"])
    MentorRequest.objects.filter(pk=pairing.request_id).update(status=MentorRequest.Status.MATCHED)
    CheckIn.objects.create(pairing=pairing, period=1, due_at=now + timedelta(days=cadence_days))
    return pairing


@transaction.atomic
def post_message(*, access: Access, pairing: Pairing, body: str = "", file: UploadedFile | None = None) -> Message:
    """A message (Markdown, sanitized) and/or one file (the library's upload checks) in an active pairing."""
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    body = _clean_text(body, label="your message", limit=MESSAGE_MAX, required=file is None)
    message = Message(pairing=pairing, author=access.user, body=body, body_html=render_markdown(body))
    if file is not None:
        inspected = inspect_upload(file)
        message.content_type = inspected.content_type
        message.file_name = (file.name or "file").rsplit("/", 1)[-1][:200]
        message.file.save(message.file_name, file, save=False)
    message.save()
    return message


@transaction.atomic
def add_goal(*, access: Access, pairing: Pairing, text: str) -> Goal:
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    return Goal.objects.create(pairing=pairing, text=_clean_text(text, label="the goal", limit=200, required=True))


@transaction.atomic
def set_goal_done(*, access: Access, pairing: Pairing, goal_id: int, done: bool) -> Goal:
    """Tick a goal off (or untick it); another pairing's goal is a 404."""
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    goal = Goal.objects.filter(pairing=pairing, pk=goal_id).first()
    if goal is None:
        raise Http404("No goal found.")
    goal.done_at = timezone.now() if done else None
    goal.save(update_fields=["done_at"])
    return goal


@transaction.atomic
def set_cadence(*, access: Access, pairing: Pairing, cadence_days: int) -> Pairing:
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    if cadence_days not in Pairing.Cadence.values:
        raise ValidationError("Pick how often you will check in.")
    pairing.cadence_days = cadence_days
    pairing.save(update_fields=["cadence_days"])
    return pairing


@transaction.atomic
def record_check_in(
    *, access: Access, pairing: Pairing, minutes: int = 0, note: str = "", now: datetime | None = None
) -> CheckIn:
    """Either person records this period's check-in (and the minutes it took); a second one in the same
    period is refused (409)."""
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    if not 0 <= minutes <= 600:
        raise ValidationError("Give the minutes you spent, from 0 to 600.")
    note = _clean_text(note, label="the note", limit=500)
    now = now or timezone.now()
    check_in = (
        CheckIn.objects.select_for_update().filter(pairing=pairing, done_at__isnull=True).order_by("due_at").first()
    )
    if check_in is None:
        period = selectors.current_period(pairing, now)
        assert pairing.started_at is not None  # _check_active: an active pairing has started
        check_in, _ = CheckIn.objects.get_or_create(
            pairing=pairing,
            period=period,
            defaults={"due_at": pairing.started_at + timedelta(days=pairing.cadence_days * period)},
        )
        if check_in.done_at is not None:
            raise ValidationError("You have already checked in this period.", code=CONFLICT)
    check_in.done_at, check_in.done_by, check_in.minutes, check_in.note = now, access.user, minutes, note
    check_in.save(update_fields=["done_at", "done_by", "minutes", "note"])
    Pairing.objects.filter(pk=pairing.pk).update(last_check_in_at=now)
    return check_in


@transaction.atomic
def end_pairing(*, access: Access, pairing: Pairing, completed: bool, note: str = "") -> Pairing:
    """Either person ends an active pairing, as completed or early, with an optional note to the leaders."""
    _check_in_pair(pairing, access.user)
    _check_active(pairing)
    pairing.end_note = _clean_text(note, label="the note", limit=NOTE_MAX)
    pairing.status = Pairing.Status.COMPLETED if completed else Pairing.Status.ENDED
    pairing.ended_at = timezone.now()
    pairing.ended_by = access.user
    pairing.save(update_fields=["end_note", "status", "ended_at", "ended_by"])
    # Open check-ins of an ended pairing no longer need anyone.
    CheckIn.objects.filter(pairing=pairing, done_at__isnull=True).delete()
    return pairing


@transaction.atomic
def report_message(*, access: Access, pairing: Pairing, message_id: int, reason: str) -> Message:
    """A pair member reports a message: from then on the community's moderators may read that one message."""
    _check_in_pair(pairing, access.user)
    reason = _clean_text(reason, label="what is wrong", limit=500, required=True)
    message = Message.objects.filter(pairing=pairing, pk=message_id).first()
    if message is None:
        raise Http404("No message found.")
    if message.reported_at is not None:
        raise ValidationError("This message is already reported.", code=CONFLICT)
    message.reported_at, message.report_reason = timezone.now(), reason
    message.save(update_fields=["reported_at", "report_reason"])
    return message


def create_due_check_ins(*, now: datetime | None = None) -> int:
    """Beat job: each active pairing gets the check-in of its current cadence period, once (a unique
    constraint per period makes a second run create nothing). Returns how many were created."""
    now = now or timezone.now()
    created = 0
    pairings = Pairing.objects.filter(status=Pairing.Status.ACTIVE, started_at__isnull=False).filter(
        Q(started_at__lte=now)
    )
    for pairing in pairings.iterator():
        period = selectors.current_period(pairing, now)
        started = pairing.started_at
        assert started is not None  # filtered above
        _, made = CheckIn.objects.get_or_create(
            pairing=pairing, period=period, defaults={"due_at": started + timedelta(days=pairing.cadence_days * period)}
        )
        created += made
    return created
