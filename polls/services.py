"""Writes on polls: creating, editing, closing, repeating and voting.

Every service checks permission itself, runs in one transaction and returns the object.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from dateutil.rrule import rrulestr
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from communities.models import FocusArea, Membership
from communities.permissions import Access
from discussions.models import Thread
from notifications import kinds
from notifications.services import notify
from polls import signals
from polls.models import (
    MAX_CHOICES,
    SCALE_LABELS,
    Ballot,
    BallotChoice,
    Choice,
    Participation,
    Poll,
    PollSeries,
    SealedAnswer,
)
from polls.sealing import seal, unseal

EDITABLE_FIELDS = ("question", "description", "focus_area", "opens_at", "closes_at", "results_visibility", "thread")
# Fields that change what a ballot means; locked once anyone has answered.
BALLOT_SHAPE_FIELDS = ("kind", "max_choices", "is_anonymous")


MAX_POLL_LENGTH = timedelta(days=5 * 366)


def _require_schedule(access: Access) -> None:
    if not access.may_schedule:
        raise PermissionDenied("Only district leaders and moderators of this community can run polls.")


def _choice_labels(kind: str, labels: Iterable[str]) -> list[str]:
    if kind == Poll.Kind.SCALE:
        return [f"{n} · {label}" for n, label in enumerate(SCALE_LABELS, start=1)]
    if kind == Poll.Kind.TEXT:
        return []
    labels = [label.strip() for label in labels if label.strip()]
    if len(labels) < 2:
        raise ValidationError({"choices": "Give at least two choices, one per line."})
    if len(labels) > MAX_CHOICES:
        raise ValidationError({"choices": f"Give at most {MAX_CHOICES} choices."})
    if len({label.casefold() for label in labels}) != len(labels):
        raise ValidationError({"choices": "Each choice must be different."})
    return labels


def _validate(poll: Poll) -> None:
    if not poll.question.strip():
        raise ValidationError({"question": "Write the question members will answer."})
    if poll.closes_at is not None and poll.closes_at <= poll.opens_at:
        raise ValidationError({"closes_at": "The poll must close after it opens."})
    if poll.closes_at is not None and poll.closes_at - poll.opens_at > MAX_POLL_LENGTH:
        raise ValidationError({"closes_at": "A poll can stay open for at most five years. Pick an earlier date."})
    if poll.kind != Poll.Kind.MULTIPLE:
        poll.max_choices = None
    if poll.focus_area is not None and poll.focus_area.community_id != poll.community_id:
        raise ValidationError({"focus_area": "Pick a focus area of this community."})
    if poll.thread is not None and poll.thread.community_id != poll.community_id:
        raise ValidationError({"thread": "That discussion is not in this community."})


@transaction.atomic
def create_poll(
    *,
    access: Access,
    question: str,
    kind: str,
    choices: Iterable[str] = (),
    description: str = "",
    max_choices: int | None = None,
    focus_area: FocusArea | None = None,
    is_anonymous: bool = False,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    results_visibility: str = Poll.ResultsVisibility.AFTER_VOTE,
    thread: Thread | None = None,
) -> Poll:
    """Create a poll with its choices. Moderators and district leaders only."""
    _require_schedule(access)
    poll = Poll(
        community=access.community,
        question=question.strip(),
        description=description,
        kind=kind,
        max_choices=max_choices,
        focus_area=focus_area,
        is_anonymous=is_anonymous,
        opens_at=opens_at or timezone.now(),
        closes_at=closes_at,
        results_visibility=results_visibility,
        thread=thread,
        created_by=access.user,
    )
    _validate(poll)
    labels = _choice_labels(kind, choices)
    if poll.max_choices is not None and poll.max_choices > len(labels):
        raise ValidationError({"max_choices": f"There are only {len(labels)} choices to pick from."})
    poll.save()
    Choice.objects.bulk_create(Choice(poll=poll, label=label, position=i) for i, label in enumerate(labels))
    _announce_if_open(poll, actor=access.user)
    return poll


ANNOUNCE_BATCH = 200


def _announce_if_open(poll: Poll, *, actor: Any = None, now: datetime | None = None) -> bool:
    """Tell the community's members that ``poll`` opened, once (``announced_at`` is claimed in the caller's
    transaction; the fan-out task runs after it commits and checks who may still see the community).
    A poll scheduled for later is left to ``announce_opened_polls``; one already closed is never announced."""
    now = now or timezone.now()
    if poll.opens_at > now:
        return False
    if not Poll.objects.filter(pk=poll.pk, announced_at=None).update(announced_at=now):
        return False  # told already (a second run, or another worker)
    if poll.closes_at is not None and poll.closes_at <= now:
        return False
    members = Membership.objects.filter(community_id=poll.community_id).values_list("user_id", flat=True)
    notify(
        kind=kinds.POLL_OPENED,
        recipients=list(members),
        community=poll.community_id,
        actor=actor,
        target=poll,
        url=poll.get_absolute_url(),
        subject=poll.question,
        event_key=f"poll_opened:{poll.pk}",
    )
    return True


def announce_opened_polls(*, now: datetime | None = None, limit: int = ANNOUNCE_BATCH) -> int:
    """Announce every poll whose opening time has come and that nobody was told of yet; returns how many.

    Each poll is claimed in its own transaction (row lock, skipped if another run holds it), so two
    runs at once, or one run twice, tell each member once.
    """
    now = now or timezone.now()
    told = 0
    due = Poll.objects.filter(announced_at=None, opens_at__lte=now).order_by("opens_at").values_list("pk", flat=True)
    for poll_id in list(due[:limit]):
        with transaction.atomic():
            poll = (
                Poll.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("community")
                .filter(pk=poll_id, announced_at=None)
                .first()
            )
            if poll is not None:
                told += _announce_if_open(poll, now=now)
    return told


def has_answers(poll: Poll) -> bool:
    return Participation.objects.filter(poll=poll).exists()


@transaction.atomic
def update_poll(*, access: Access, poll: Poll, choices: Iterable[str] | None = None, **fields: Any) -> Poll:
    """Edit a poll. Its kind, anonymity, limit and choices only change while nobody has answered."""
    _require_schedule(access)
    poll = Poll.objects.select_for_update().get(pk=poll.pk, community=access.community)
    answered = has_answers(poll)
    for name, value in fields.items():
        if name in BALLOT_SHAPE_FIELDS:
            if answered and getattr(poll, name) != value:
                raise ValidationError("Members have already answered, so the kind of poll can no longer change.")
        elif name not in EDITABLE_FIELDS:
            raise ValueError(f"{name} is not an editable poll field")
        setattr(poll, name, value)
    if "question" in fields:
        poll.question = poll.question.strip()
    _validate(poll)
    if choices is not None and not answered:
        labels = _choice_labels(poll.kind, choices)
        if poll.max_choices is not None and poll.max_choices > len(labels):
            raise ValidationError({"max_choices": f"There are only {len(labels)} choices to pick from."})
        poll.choices.all().delete()
        Choice.objects.bulk_create(Choice(poll=poll, label=label, position=i) for i, label in enumerate(labels))
    poll.save()
    return poll


@transaction.atomic
def close_poll(*, access: Access, poll: Poll) -> Poll:
    """Close an open poll now; closing a closed poll changes nothing."""
    _require_schedule(access)
    poll = Poll.objects.select_for_update().get(pk=poll.pk, community=access.community)
    now = timezone.now()
    if poll.status_at(now) == Poll.Status.SCHEDULED:
        raise ValidationError("This poll has not opened yet. Edit its dates instead.")
    if poll.status_at(now) == Poll.Status.OPEN:
        poll.closes_at = now
        poll.save(update_fields=["closes_at"])
        transaction.on_commit(lambda: signals.poll_closed.send(sender=Poll, poll=poll), robust=True)
    if poll.is_anonymous:
        from polls.tasks import mix_sealed_answers_of

        transaction.on_commit(lambda: mix_sealed_answers_of.delay(poll.pk))
    return poll


@transaction.atomic
def repeat_poll(
    *, access: Access, poll: Poll, opens_at: datetime | None = None, closes_at: datetime | None = None
) -> Poll:
    """Ask a poll again as the next round of its series (same question, choices and settings)."""
    _require_schedule(access)
    poll = Poll.objects.select_for_update().get(pk=poll.pk, community=access.community)
    # Lock the series so two leaders repeating at once get consecutive rounds.
    series = _locked_series(poll)
    last_round = series.polls.aggregate(last=Max("round"))["last"] or 0
    opens_at = opens_at or timezone.now()
    if closes_at is None and poll.closes_at is not None:
        closes_at = opens_at + _round_length(poll)
    new = _next_round(
        poll, series=series, number=last_round + 1, opens_at=opens_at, closes_at=closes_at, created_by_id=access.user.pk
    )
    _validate(new)
    _save_round(new, poll)
    _announce_if_open(new, actor=access.user)
    return new


def _next_round(
    poll: Poll,
    *,
    series: PollSeries,
    number: int,
    opens_at: datetime,
    closes_at: datetime | None,
    created_by_id: int | None,
) -> Poll:
    """An unsaved round ``number`` of ``series`` that asks what ``poll`` asked, with the same settings."""
    return Poll(
        community_id=poll.community_id,
        question=poll.question,
        description=poll.description,
        kind=poll.kind,
        max_choices=poll.max_choices,
        focus_area_id=poll.focus_area_id,
        is_anonymous=poll.is_anonymous,
        opens_at=opens_at,
        closes_at=closes_at,
        results_visibility=poll.results_visibility,
        series=series,
        round=number,
        created_by_id=created_by_id,
    )


def _save_round(new: Poll, poll: Poll) -> None:
    """Save ``new`` with a copy of ``poll``'s choices."""
    new.save()
    Choice.objects.bulk_create(Choice(poll=new, label=c.label, position=c.position) for c in poll.choices.all())


MAX_ROUND_LENGTH = timedelta(days=366)


def _locked_series(poll: Poll) -> PollSeries:
    """``poll``'s series (made now if it is the first round), locked for the rest of the transaction."""
    series_id = poll.series_id
    if series_id is None:
        poll.series = PollSeries.objects.create(community=poll.community)
        poll.save(update_fields=["series"])
        series_id = poll.series.pk
    return PollSeries.objects.select_for_update().get(pk=series_id)


def _round_length(poll: Poll) -> timedelta:
    """How long a repeated round stays open: as long as ``poll`` did, a week by default, at most a year."""
    if poll.closes_at is None:
        return timedelta(days=7)
    return min(poll.closes_at - poll.opens_at, MAX_ROUND_LENGTH)


def default_repeat_dates(poll: Poll, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The next round opens now and stays open as long as the last one did (a week by default, a year at most)."""
    now = now or timezone.now()
    return now, now + _round_length(poll)


def check_may_vote(access: Access) -> None:
    """Raise PermissionDenied unless ``access`` is a member: staff read polls but are not counted as voters."""
    if not access.is_member:
        raise PermissionDenied("Only members of this community can answer its polls.")


@transaction.atomic
def cast_vote(*, access: Access, poll: Poll, choices: Iterable[Any] = (), text: str = "") -> Ballot | SealedAnswer:
    """Record or change ``access.user``'s answer to ``poll``; returns the ballot (a SealedAnswer if anonymous).

    Members only, while the poll is open. One ballot per member is enforced by the
    database; concurrent changes by the same member are serialized by a row lock.
    Anonymous answers are sealed until the poll closes and cannot change.
    """
    check_may_vote(access)
    poll = Poll.objects.get(pk=poll.pk, community=access.community)
    status = poll.status
    if status == Poll.Status.SCHEDULED:
        raise ValidationError("This poll is not open yet.")
    if status == Poll.Status.CLOSED:
        raise ValidationError("This poll is closed, so answers can no longer change.")
    picked = _picked_choices(poll, choices)
    text = (text or "").strip()
    if poll.is_text and not text:
        raise ValidationError("Write an answer before sending it.")

    if poll.is_anonymous:
        try:
            with transaction.atomic():
                Participation.objects.create(poll=poll, user=access.user)
        except IntegrityError:
            raise ValidationError(
                "You have already answered this anonymous poll; anonymous answers are final."
            ) from None
        # Not a ballot yet: written with every other one when the poll closes (mix_sealed_answers).
        return SealedAnswer.objects.create(
            poll=poll, sealed=seal(poll_id=poll.pk, choice_ids=[c.pk for c in picked], text=text)
        )
    ballot, created = Ballot.objects.select_for_update().get_or_create(
        poll=poll, voter=access.user, defaults={"text": text, "updated_at": timezone.now()}
    )
    if created:
        Participation.objects.get_or_create(poll=poll, user=access.user)
    else:
        ballot.text = text
        ballot.updated_at = timezone.now()
        ballot.save(update_fields=["text", "updated_at"])
        ballot.picks.all().delete()
    BallotChoice.objects.bulk_create(BallotChoice(ballot=ballot, choice=choice) for choice in picked)
    return ballot


def _picked_choices(poll: Poll, choices: Iterable[Any]) -> list[Choice]:
    if not poll.has_choices:
        return []
    ids = set()
    try:
        for choice in choices:
            ids.add(choice.pk if isinstance(choice, Choice) else int(choice))
    except (TypeError, ValueError):
        raise ValidationError("That answer is not one of this poll's choices.") from None
    if not ids:
        raise ValidationError("Pick an answer before sending it.")
    picked = list(Choice.objects.filter(poll=poll, pk__in=ids))
    if len(picked) != len(ids):
        raise ValidationError("That answer is not one of this poll's choices.")
    if not poll.is_multiple and len(picked) > 1:
        raise ValidationError("Pick only one answer.")
    if poll.max_choices is not None and len(picked) > poll.max_choices:
        raise ValidationError(f"Pick at most {poll.max_choices} answers.")
    return picked


def mix_sealed_answers(*, poll: Poll, now: datetime | None = None) -> int:
    """Write a closed anonymous poll's sealed answers as ballots, all in one transaction, in random order.

    Ballots share that transaction (one ``xmin``), get random keys and are inserted
    shuffled (so ``ctid`` order says nothing either); the sealed rows go. Returns how
    many were written; an open poll is left alone (its answers keep waiting). Safe to
    run twice: the second run finds nothing.
    """
    if not poll.is_anonymous or poll.status_at(now or timezone.now()) != Poll.Status.CLOSED:
        return 0
    with transaction.atomic():
        sealed = list(SealedAnswer.objects.select_for_update(skip_locked=True).filter(poll=poll))
        if not sealed:
            return 0
        valid = set(Choice.objects.filter(poll=poll).values_list("pk", flat=True))
        answers = [unseal(row.sealed, poll_id=poll.pk) for row in sealed]
        _shuffle(answers)
        ballots = [Ballot(poll=poll, text=text) for _choice_ids, text in answers]
        Ballot.objects.bulk_create(ballots)
        picks = [
            BallotChoice(ballot=ballot, choice_id=choice_id)
            for ballot, (choice_ids, _text) in zip(ballots, answers, strict=True)
            for choice_id in choice_ids
            if choice_id in valid
        ]
        _shuffle(picks)
        BallotChoice.objects.bulk_create(picks)
        SealedAnswer.objects.filter(pk__in=[row.pk for row in sealed]).delete()
    return len(ballots)


def _shuffle(items: list[Any]) -> None:
    secrets.SystemRandom().shuffle(items)


# -- rounds that repeat by themselves ---------------------------------------------------
MAX_EVERY_WEEKS = 52


def repeat_rule_for(*, every: str, day: int | None = None, weeks: int | None = None) -> str:
    """The RRULE of "every month on ``day``" (1-28, or -1 for the last day) or "every ``weeks`` weeks"."""
    if every == "month":
        if not isinstance(day, int) or not (1 <= day <= 28 or day == -1):
            raise ValidationError({"day": "Pick a day of the month from 1 to 28, or the last day."})
        return f"FREQ=MONTHLY;BYMONTHDAY={day}"
    if every == "weeks":
        if not isinstance(weeks, int) or not 1 <= weeks <= MAX_EVERY_WEEKS:
            raise ValidationError({"weeks": f"Repeat every 1 to {MAX_EVERY_WEEKS} weeks (not 0)."})
        return f"FREQ=WEEKLY;INTERVAL={weeks}"
    raise ValidationError({"every": "Pick every month or every few weeks."})


def _next_after(series: PollSeries, moment: datetime) -> datetime | None:
    rule = rrulestr(series.repeat_rule, dtstart=series.repeat_anchor)
    return rule.after(moment, inc=False)


@transaction.atomic
def set_poll_repeat(
    *, access: Access, poll: Poll, every: str, day: int | None = None, weeks: int | None = None
) -> PollSeries:
    """Make a poll's series open a new round by itself (every month on a day, or every N weeks);
    ``every=""`` stops it. Schedulers only. The first automatic round is the next date after now."""
    _require_schedule(access)
    poll = Poll.objects.select_for_update().get(pk=poll.pk, community=access.community)
    series = _locked_series(poll)
    if not every:
        series.repeat_rule, series.next_round_at = "", None
    else:
        series.repeat_rule = repeat_rule_for(every=every, day=day, weeks=weeks)
        # Rounds open at the time of day the poll opened, in UTC.
        series.repeat_anchor = poll.opens_at.astimezone(UTC).replace(second=0, microsecond=0)
        series.next_round_at = _next_after(series, max(timezone.now(), poll.opens_at))
    series.save(update_fields=["repeat_rule", "repeat_anchor", "next_round_at"])
    return series


def open_due_rounds(*, now: datetime | None = None) -> list[Poll]:
    """Open the round of every repeating series that is due, closing the round before. Exactly once per
    period: each series is claimed (row lock, skipped if another run holds it) and its ``next_round_at``
    moves past ``now`` in the same transaction, so a second run finds nothing due. A series that missed
    several periods opens one round, for the latest. Returns the new polls."""
    now = now or timezone.now()
    opened = []
    due = PollSeries.objects.filter(next_round_at__lte=now).exclude(repeat_rule="").values_list("pk", flat=True)
    for series_id in list(due):
        with transaction.atomic():
            series = (
                PollSeries.objects.select_for_update(skip_locked=True)
                .filter(pk=series_id, next_round_at__lte=now)
                .first()
            )
            if series is None:
                continue
            opens_at = series.next_round_at
            assert opens_at is not None  # next_round_at__lte=now
            following = _next_after(series, opens_at)
            while following is not None and following <= now:
                opens_at, following = following, _next_after(series, following)
            last = series.polls.order_by("-round").prefetch_related("choices").first()
            if last is not None:
                opened.append(_open_round(series, last, opens_at, following, now=now))
            series.next_round_at = following
            series.save(update_fields=["next_round_at"])
    return opened


def _open_round(
    series: PollSeries, last: Poll, opens_at: datetime, closes_at: datetime | None, *, now: datetime
) -> Poll:
    # The rounds before close when this one opens.
    series.polls.filter(Q(closes_at__isnull=True) | Q(closes_at__gt=opens_at), opens_at__lt=opens_at).update(
        closes_at=opens_at
    )
    new = _next_round(
        last,
        series=series,
        number=last.round + 1,
        opens_at=opens_at,
        closes_at=closes_at,
        created_by_id=last.created_by_id,
    )
    _save_round(new, last)
    _announce_if_open(new, now=now)
    return new
