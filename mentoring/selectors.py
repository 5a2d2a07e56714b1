"""Reads that mentoring's pages, the home panels and the digest share. Each runs a fixed number of queries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404

from accounts.models import User
from communities.models import Community, FocusArea, Membership
from communities.permissions import Access
from mentoring.models import CheckIn, GradeBand, MentorProfile, MentorRequest, Message, Pairing

SUGGESTION_LIMIT = 10
# How much each kind of fit weighs: focus areas and grade band first, then role and subject, then district.
FOCUS_WEIGHT = 10
GRADE_WEIGHT = 10
ROLE_WEIGHT = 3
SUBJECT_WEIGHT = 3
OTHER_DISTRICT_WEIGHT = 2


@dataclass(frozen=True)
class Suggestion:
    profile: MentorProfile
    score: int
    reasons: tuple
    free: int

    @property
    def reasons_text(self) -> str:
        return ", ".join(self.reasons)


def _active_count() -> Count:
    return Count("pairings", filter=Q(pairings__status=Pairing.Status.ACTIVE), distinct=True)


def mentors_with_room(*, community: Community) -> QuerySet[MentorProfile]:
    """Active mentor profiles in ``community`` with fewer active mentees than their capacity, with ``active``
    (their number of mentees) and the mentor's district. One query (plus one for focus areas when iterated)."""
    return (
        MentorProfile.objects.filter(
            community=community,
            is_active=True,
            user__in=Membership.objects.filter(community=community).values("user_id"),
        )
        .select_related("user__district")
        .annotate(active=_active_count())
        .filter(active__lt=F("capacity"))
        .prefetch_related("focus_areas")
        .order_by("user__display_name", "user__username")
    )


def suggestions_for(*, request: MentorRequest, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Mentors ranked by fit for ``request`` with the reasons shown; never the mentee, never one at capacity,
    never one who declined this request, and only the mentee's district when others are not welcome.
    Five queries, whatever the number of mentors."""
    mentee = request.mentee
    wanted = {f.pk: f for f in request.focus_areas.all()}
    declined = set(
        Pairing.objects.filter(request=request, status=Pairing.Status.DECLINED).values_list("mentor_id", flat=True)
    )
    led = set(
        FocusArea.leaders.through.objects.filter(focusarea_id__in=list(wanted)).values_list("focusarea_id", "user_id")
    )
    mentors = mentors_with_room(community=request.community).exclude(user=mentee)
    district = request.for_district or mentee.district
    if not request.other_district_welcome and district is not None:
        mentors = mentors.filter(user__district=district)
    subject = request.subject.strip().lower()
    band_label = dict(GradeBand.choices).get(request.grade_band, "")
    ranked = []
    profile: Any  # with ``active``, its active pairings (mentors_with_room)
    for profile in mentors:
        if profile.user_id in declined:
            continue
        score, reasons = 0, []
        for area in profile.focus_areas.all():
            if area.pk in wanted:
                score += FOCUS_WEIGHT
                lead = (area.pk, profile.user_id) in led
                reasons.append(f"{'leads' if lead else 'both work on'} {area.name}")
        if request.grade_band and request.grade_band in profile.grade_bands:
            score += GRADE_WEIGHT
            reasons.insert(0, f"both {band_label}")
        if profile.role == request.role:
            score += ROLE_WEIGHT
            reasons.append(f"both {profile.get_role_display().lower()}s")
        if subject and subject in {s.lower() for s in profile.subject_list}:
            score += SUBJECT_WEIGHT
            reasons.append(f"both teach {request.subject.strip()}")
        theirs = profile.user.district
        if district is not None and theirs is not None:
            if theirs.pk != district.pk:
                score += OTHER_DISTRICT_WEIGHT
                reasons.append(f"{district.name} ↔ {theirs.name}")
            else:
                reasons.append(f"both in {district.name}")
        free = profile.capacity - profile.active
        ranked.append(Suggestion(profile=profile, score=score, reasons=tuple(reasons), free=free))
    ranked.sort(key=lambda s: (-s.score, -s.free, s.profile.user.name.lower(), s.profile.pk))
    return ranked[:limit]


def pairing_for(*, access: Access, pair_id: int) -> Pairing:
    """The pairing ``pair_id`` of ``access.community`` if the viewer is one of its two people and still a
    member; otherwise 404 (moderators and staff included: the space is the pair's). One query."""
    user = access.user
    if not access.is_member:
        raise Http404("No pairing found.")
    pairing = (
        Pairing.objects.filter(community=access.community, pk=pair_id)
        .filter(Q(mentor=user) | Q(mentee=user))
        .select_related("mentor__district", "mentee__district", "request", "community")
        .first()
    )
    if pairing is None:
        raise Http404("No pairing found.")
    return pairing


def request_for(*, access: Access, request_id: int) -> MentorRequest:
    """A mentor request of the community, for its mentee or the community's leaders; otherwise 404."""
    found = (
        MentorRequest.objects.filter(community=access.community, pk=request_id)
        .select_related("mentee__district", "for_district", "community")
        .first()
    )
    if found is None or not (access.may_schedule or (access.is_member and found.mentee_id == access.user.pk)):
        raise Http404("No request found.")
    return found


def my_mentoring(*, access: Access) -> dict[str, Any]:
    """The viewer's profile, requests and pairings in the community. Four queries."""
    user = access.user
    profile = (
        MentorProfile.objects.filter(community=access.community, user=user)
        .annotate(active=_active_count())
        .prefetch_related("focus_areas")
        .first()
    )
    requests = list(
        MentorRequest.objects.filter(community=access.community, mentee=user, status=MentorRequest.Status.OPEN)
        .annotate(waiting=Exists(Pairing.objects.filter(request=OuterRef("pk"), status=Pairing.Status.ASKED)))
        .select_related("community")
        .order_by("-created_at")
    )
    pairings = list(
        Pairing.objects.filter(community=access.community)
        .filter(Q(mentor=user) | Q(mentee=user))
        .exclude(status=Pairing.Status.DECLINED, mentor=user)
        .select_related("mentor", "mentee", "community")
        .order_by("-created_at")
    )
    return {"profile": profile, "requests": requests, "pairings": pairings}


def pair_space(*, pairing: Pairing) -> dict[str, Any]:
    """Messages (with authors) and goals of a pairing, and its open check-in. Three queries."""
    return {
        "pair_messages": list(pairing.messages.select_related("author")),
        "goals": list(pairing.goals.all()),
        "open_check_in": pairing.check_ins.filter(done_at__isnull=True).order_by("due_at").first(),
    }


def leaders_view(*, community: Community) -> dict[str, Any]:
    """What the leaders' page shows: active pairs with their last check-in, requests waiting, mentors with free
    capacity, how pairings ended, and reported messages. A fixed number of queries."""
    live = Pairing.objects.filter(request=OuterRef("pk"), status__in=[Pairing.Status.ASKED, Pairing.Status.ACTIVE])
    waiting = list(
        MentorRequest.objects.filter(community=community, status=MentorRequest.Status.OPEN)
        .annotate(live=Exists(live))
        .filter(live=False)
        .select_related("mentee__district", "for_district", "community")
        .prefetch_related("focus_areas")
        .order_by("created_at")
    )
    pairs = list(
        Pairing.objects.filter(community=community, status=Pairing.Status.ACTIVE)
        .select_related("mentor__district", "mentee__district")
        .order_by("last_check_in_at", "started_at")
    )
    ended = dict(
        Pairing.objects.filter(community=community, status__in=[Pairing.Status.COMPLETED, Pairing.Status.ENDED])
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    notes = list(
        Pairing.objects.filter(community=community, status__in=[Pairing.Status.COMPLETED, Pairing.Status.ENDED])
        .exclude(end_note="")
        .select_related("mentor", "mentee", "ended_by")
        .order_by("-ended_at")[:20]
    )
    reported = list(
        Message.objects.filter(pairing__community=community, reported_at__isnull=False)
        .select_related("author", "pairing__mentor", "pairing__mentee")
        .order_by("-reported_at")[:50]
    )
    return {
        "waiting": waiting,
        "pairs": pairs,
        "mentors": list(mentors_with_room(community=community)),
        "completed": ended.get(Pairing.Status.COMPLETED, 0),
        "ended_early": ended.get(Pairing.Status.ENDED, 0),
        "end_notes": notes,
        "reported": reported,
    }


def pairings_needing(*, user: User, community: Community | None = None) -> QuerySet[Pairing]:
    """The pairings that need ``user``, in communities they still belong to (with ``community``, that one only):
    those in which a mentee waits for their answer as mentor, and their active ones with an open check-in, each
    with its oldest open check-in (``check_in_pk``, ``check_in_period``, ``check_in_due_at``). One query, for
    ``split_asks_and_check_ins``."""
    open_check_ins = CheckIn.objects.filter(pairing_id=OuterRef("pk"), done_at__isnull=True).order_by("due_at", "pk")
    waiting = Q(mentor=user, status=Pairing.Status.ASKED)
    due = (Q(mentor=user) | Q(mentee=user)) & Q(status=Pairing.Status.ACTIVE) & Q(Exists(open_check_ins))
    rows = Pairing.objects.all() if community is None else Pairing.objects.filter(community=community)
    return (
        rows.filter(community__in=Membership.objects.filter(user=user).values("community_id"))
        .filter(waiting | due)
        .annotate(
            check_in_pk=Subquery(open_check_ins.values("pk")[:1]),
            check_in_period=Subquery(open_check_ins.values("period")[:1]),
            check_in_due_at=Subquery(open_check_ins.values("due_at")[:1]),
        )
        .select_related("mentor", "mentee", "community")
    )


def split_asks_and_check_ins(rows: Iterable[Any]) -> tuple[list[Pairing], list[CheckIn]]:
    """(asks, check-ins), each oldest first, from the rows of ``pairings_needing``."""
    asks: list[Pairing] = []
    check_ins: list[CheckIn] = []
    for pairing in rows:
        if pairing.status == Pairing.Status.ASKED:
            asks.append(pairing)
        else:
            check_in = CheckIn(
                pk=pairing.check_in_pk, pairing=pairing, period=pairing.check_in_period, due_at=pairing.check_in_due_at
            )
            check_ins.append(check_in)
    asks.sort(key=lambda pairing: (pairing.created_at, pairing.pk))
    check_ins.sort(key=lambda check_in: (check_in.due_at, check_in.pk))
    return asks, check_ins


def _check_ins_done(*, user: User, start: datetime, end: datetime) -> QuerySet[CheckIn]:
    """Check-ins of ``user``'s pairings (as mentor or mentee) recorded done in [start, end)."""
    return CheckIn.objects.filter(done_at__gte=start, done_at__lt=end).filter(
        Q(pairing__mentor=user) | Q(pairing__mentee=user)
    )


def mentoring_hours_for(user: User, start: datetime, end: datetime) -> float:
    """Hours ``user`` spent in check-ins (as mentor or mentee) recorded done in [start, end). One query."""
    minutes = _check_ins_done(user=user, start=start, end=end).aggregate(total=Sum("minutes"))["total"]
    return round((minutes or 0) / 60, 2)


def check_in_minutes_by_community(
    *, user: User, start: datetime, end: datetime, community_ids: Iterable[int]
) -> dict[int, int]:
    """Minutes ``user`` spent in check-ins done in [start, end), per community id: the PD record's
    mentoring line. One query."""
    rows = (
        _check_ins_done(user=user, start=start, end=end)
        .filter(pairing__community_id__in=community_ids)
        .values("pairing__community_id")
        .annotate(total=Sum("minutes"))
    )
    return {row["pairing__community_id"]: row["total"] or 0 for row in rows}


def current_period(pairing: Pairing, now: datetime) -> int:
    """Which cadence period ``now`` falls in (the first starts when the mentor accepts)."""
    assert pairing.started_at is not None  # an active pairing has started
    elapsed = now - pairing.started_at
    return elapsed // timedelta(days=pairing.cadence_days) + 1


def asks_and_check_ins_for_many(*, users, communities_of):
    """The asks and check-ins of ``pairings_needing`` for a batch of people: {user id: ([pairing], [check-in])}.

    ``communities_of`` maps each user id to the ids of their communities. Two queries.
    """
    user_ids = [user.pk for user in users]
    communities = set().union(*(set(ids) for ids in communities_of.values()))
    found: dict[int, tuple[list, list]] = {pk: ([], []) for pk in user_ids}
    asks = (
        Pairing.objects.filter(mentor_id__in=user_ids, status=Pairing.Status.ASKED, community_id__in=communities)
        .select_related("mentee", "community")
        .order_by("created_at")
    )
    for pairing in asks:
        if pairing.community_id in communities_of.get(pairing.mentor_id, ()):
            found[pairing.mentor_id][0].append(pairing)
    rows = (
        CheckIn.objects.filter(done_at__isnull=True, pairing__status=Pairing.Status.ACTIVE)
        .filter(Q(pairing__mentor_id__in=user_ids) | Q(pairing__mentee_id__in=user_ids))
        .filter(pairing__community_id__in=communities)
        .select_related("pairing__mentor", "pairing__mentee", "pairing__community")
        .order_by("due_at")
    )
    seen = set()
    for row in rows:
        pairing = row.pairing
        for user_id in {pairing.mentor_id, pairing.mentee_id}:
            mine = user_id in found and pairing.community_id in communities_of.get(user_id, ())
            if mine and (user_id, pairing.pk) not in seen:
                seen.add((user_id, pairing.pk))
                found[user_id][1].append(row)
    return found
