"""Every write of notifications: ``notify`` (called by the apps above), reading, preferences.

``notify`` only records what happened and hands it to the ``notifications.fan_out`` task
after the caller's transaction commits; ``fan_out`` checks, for each recipient, that they
may still see the community, and inserts one row per person and event (``event_key``):
running it twice inserts nothing twice. Grouped kinds merge into the recipient's unread
row of the same ``group_key`` and count distinct actors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Model, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import User
from communities.models import Community
from communities.permissions import readers_q
from notifications import kinds, selectors
from notifications.models import Notification, Preference


def _ids(people: Iterable[Any]) -> list[int]:
    return sorted({getattr(person, "pk", person) for person in people if person is not None})


def payload_for(
    *,
    kind: str,
    recipients: Iterable[Any],
    url: str,
    event_key: str,
    community: Community | int | None = None,
    actor: User | int | None = None,
    target: Model | None = None,
    subject: str = "",
    detail: str = "",
    group_key: str = "",
    email_group: str = "",
) -> dict[str, Any]:
    """The plain data of one event, as the ``notifications.fan_out`` task takes it."""
    if kind not in kinds.KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return {
        "kind": kind,
        "recipients": _ids(recipients),
        "url": str(url)[:500],
        "event_key": event_key[:120],
        "community": getattr(community, "pk", community),
        "actor": getattr(actor, "pk", actor),
        "target": [ContentType.objects.get_for_model(target).pk, target.pk] if target is not None else None,
        "subject": str(subject)[:300],
        "detail": str(detail)[:500],
        "group_key": group_key[:120],
        "email_group": email_group[:120],
    }


def notify(**event: Any) -> None:
    """Tell ``recipients`` (people or ids) that ``kind`` happened; done by a task once the caller commits.

    Takes the arguments of ``payload_for``. ``event_key`` names the event (the same key for
    the same person never makes a second row); ``group_key`` merges unread notifications
    into one ("3 people found..."); ``email_group`` batches their emails (one per thread or
    community per window). The actor is never told about their own action.
    """
    payload = payload_for(**event)
    if not payload["recipients"]:
        return
    from notifications import tasks

    transaction.on_commit(lambda: tasks.fan_out.delay(payload), robust=True)


def deliveries_for(kind: str, people: list[User]) -> dict[int, str]:
    """{user id: delivery} for ``kind``: each person's choice, else the kind's default (one query)."""
    chosen = dict(
        Preference.objects.filter(kind=kind, user_id__in=[p.pk for p in people]).values_list("user_id", "delivery")
    )
    return {person.pk: chosen.get(person.pk) or kinds.default_delivery(kind, person) for person in people}


def next_daily_summary(now: dt.datetime) -> dt.datetime:
    at = now.replace(hour=settings.NOTIFICATION_DAILY_HOUR_UTC, minute=0, second=0, microsecond=0)
    return at if at > now else at + dt.timedelta(days=1)


def batch_window(kind: str) -> dt.timedelta:
    minutes = settings.NOTIFICATION_MODERATOR_BATCH_MINUTES if kinds.KINDS[kind].moderators else None
    return dt.timedelta(minutes=minutes or settings.NOTIFICATION_BATCH_MINUTES)


def _email_plan(
    *, kind: str, people: list[User], email_group: str, now: dt.datetime
) -> dict[int, tuple[dt.datetime, str]]:
    """{user id: (due at, email group)} for the people of ``people`` this kind should email."""
    spec = kinds.KINDS[kind]
    if not spec.emailed:
        return {}
    deliveries = deliveries_for(kind, [person for person in people if person.email])
    plan = {}
    waiting = {}
    if spec.batched and email_group:
        # Join the batch already waiting for this thread (or community): one email for all of it.
        waiting = dict(
            Notification.objects.filter(
                recipient_id__in=list(deliveries), email_group=email_group, emailed_at=None, email_due_at__isnull=False
            )
            .values("recipient_id")
            .annotate(due=Min("email_due_at"))
            .values_list("recipient_id", "due")
        )
    for user_id, delivery in deliveries.items():
        if delivery == kinds.SITE:
            continue
        if delivery == kinds.DAILY:
            plan[user_id] = (next_daily_summary(now), "daily")
        elif spec.batched and email_group:
            plan[user_id] = (waiting.get(user_id) or now + batch_window(kind), f"{kind}:{email_group}")
        else:
            plan[user_id] = (now, "")
    return plan


def fan_out(payload: dict[str, Any], *, now: dt.datetime | None = None) -> int:
    """Insert the notifications of one ``notify`` call; returns the number of people told. Safe to run twice.

    Only active people who may see the community now are told (``readers_q``): a follower
    who left a members-only community gets nothing.
    """
    now = now or timezone.now()
    kind = payload["kind"]
    community = Community.objects.filter(pk=payload["community"]).first() if payload["community"] else None
    if payload["community"] and community is None:
        return 0
    told = User.objects.filter(pk__in=payload["recipients"], is_active=True)
    if payload["actor"]:
        told = told.exclude(pk=payload["actor"])
    if community is not None:
        told = told.filter(readers_q(community))
    people = list(told.only("pk", "email", "email_on_mention", "email_on_reply"))
    if not people:
        return 0
    plan = _email_plan(kind=kind, people=people, email_group=payload["email_group"], now=now)
    target_type, target_id = payload["target"] or (None, None)
    common = {
        "kind": kind,
        "community_id": payload["community"],
        "actor_id": payload["actor"],
        "actor_ids": [payload["actor"]] if payload["actor"] else [],
        "target_type_id": target_type,
        "target_id": target_id,
        "url": payload["url"],
        "subject": payload["subject"],
        "detail": payload["detail"],
        "event_key": payload["event_key"],
        "group_key": payload["group_key"],
        "created_at": now,
    }
    with transaction.atomic():
        if payload["group_key"]:
            people = _merge_into_groups(people, payload, now)
        rows = []
        for person in people:
            due, group = plan.get(person.pk, (None, ""))
            rows.append(Notification(recipient_id=person.pk, email_due_at=due, email_group=group, **common))
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if any(due is not None and due <= now for due, _ in plan.values()):
        from notifications import tasks

        transaction.on_commit(lambda: tasks.send_due_emails.delay(), robust=True)
    return len(payload["recipients"])


def _merge_into_groups(people: list[User], payload: dict[str, Any], now: dt.datetime) -> list[User]:
    """Fold the event into each person's unread row of the group; the people still without one."""
    actor = payload["actor"]
    open_rows = {
        row.recipient_id: row
        for row in Notification.objects.select_for_update().filter(
            recipient_id__in=[person.pk for person in people], group_key=payload["group_key"], read_at=None
        )
    }
    for row in open_rows.values():
        if actor and actor in row.actor_ids:
            continue  # the same person again (a task run twice, or un-mark and mark again)
        row.actor_ids = [*row.actor_ids, actor] if actor else row.actor_ids
        row.count = max(len(row.actor_ids), row.count + (0 if actor else 1))
        row.actor_id = actor or row.actor_id
        row.created_at = now
        row.save(update_fields=["actor_ids", "count", "actor", "created_at"])
    return [person for person in people if person.pk not in open_rows]


def mark_read(*, user: User, notification_id: int) -> Notification:
    """Mark one of ``user``'s notifications read; Http404 for anyone else's. Idempotent."""
    notification = selectors.visible_notifications(user).filter(pk=notification_id).first()
    if notification is None:
        raise Http404("No such notification.")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=notification.read_at)
    return notification


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many (one query)."""
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def set_preferences(*, user: User, choices: dict[str, str]) -> dict[str, str]:
    """Save ``user``'s choice per kind ({kind: delivery}); ValidationError for an unknown kind or delivery.

    Only choices that differ from the default are stored.
    """
    unknown = sorted(set(choices) - set(kinds.KINDS))
    if unknown:
        raise ValidationError(f"Unknown kinds of notification: {', '.join(unknown)}.")
    bad = sorted(kind for kind, delivery in choices.items() if delivery not in kinds.DELIVERIES)
    if bad:
        raise ValidationError("Pick one of the choices offered for each kind.")
    with transaction.atomic():
        # An explicit choice replaces the account's older on/off switches for these kinds.
        legacy = {kinds.LEGACY_SWITCHES[kind] for kind in choices if kind in kinds.LEGACY_SWITCHES}
        if legacy:
            User.objects.filter(pk=user.pk).update(**dict.fromkeys(legacy, True))
            for field in legacy:
                setattr(user, field, True)
        Preference.objects.filter(user=user, kind__in=list(choices)).delete()
        Preference.objects.bulk_create(
            [
                Preference(user=user, kind=kind, delivery=delivery)
                for kind, delivery in choices.items()
                if delivery != kinds.KINDS[kind].default
            ]
        )
    return choices


def stop_emails(*, user: User, kind: str) -> dict[str, str]:
    """One-click unsubscribe: ``kind`` goes to the site only (``daily``: every kind in the daily summary)."""
    if kind == "daily":
        current = deliveries_for_all(user)
        choices = {k: kinds.SITE for k, delivery in current.items() if delivery == kinds.DAILY}
    else:
        choices = {kind: kinds.SITE}
    set_preferences(user=user, choices=choices)
    Notification.objects.filter(recipient=user, emailed_at=None, email_due_at__isnull=False).filter(
        Q(kind__in=list(choices))
    ).update(email_due_at=None)
    return choices


def deliveries_for_all(user: User) -> dict[str, str]:
    """{kind: delivery} for every kind that can be emailed, as ``user`` has chosen (one query)."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind.key: chosen.get(kind.key) or kinds.default_delivery(kind.key, user) for kind in kinds.EMAILED_KINDS}
