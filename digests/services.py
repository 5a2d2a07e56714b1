"""Writes of the digest: unsubscribing, community notes, and delivering digests exactly once.

Delivery protocol (per member and period, one DigestDelivery row):
1. a batch inserts ``pending`` rows for its members (ON CONFLICT DO NOTHING);
2. ``claim_delivery`` locks the row (SKIP LOCKED) and turns it ``claimed``, with the
   worker's identity (core.workers), only if it is pending, a retryable failure whose
   time has come, a claim of a worker of this host that is dead for certain (a restarted
   worker takes its own back at once), or a claim older than DIGEST_CLAIM_TIMEOUT;
   ``sent``/``skipped`` rows are never claimed;
3. the message goes out through core.mail's message and connection; the very next
   statement marks the row ``sent`` (nothing is rendered or logged in between).
A second run, a duplicate task or a redelivered task finds the rows already
sent or freshly claimed and sends nothing. Addresses that bounced or complained
(core.models.Suppression) are not written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.models import User
from communities.models import Membership
from communities.permissions import Access
from core import mail, workers
from core.models import Suppression
from digests.emails import build_digest_email
from digests.models import CommunityNote, DigestDelivery, DigestRun
from digests.periods import MONTHLY, Period, current_period
from digests.selectors import (
    Digest,
    calls_to_action_for_many,
    community_content_of_many,
    digest_for,
    member_communities_of_many,
)

log = logging.getLogger(__name__)
Status = DigestDelivery.Status


# -- preferences -------------------------------------------------------------
def unsubscribe(*, user: User) -> User:
    """Turn ``user``'s digest off (the settings page turns it back on). Idempotent."""
    if user.digest_frequency != User.DigestFrequency.OFF:
        user.digest_frequency = User.DigestFrequency.OFF
        user.save(update_fields=["digest_frequency"])
    return user


# -- community notes ----------------------------------------------------------
def save_community_note(*, access: Access, period: Period, body: str) -> CommunityNote | None:
    """Write (or, with an empty body, remove) the moderators' note for ``period``. Moderators only."""
    if not access.may_moderate:
        raise PermissionDenied("Only moderators of this community can write its digest note.")
    body = body.strip()
    with transaction.atomic():
        if not body:
            CommunityNote.objects.filter(community=access.community, period=period.key).delete()
            return None
        note, _ = CommunityNote.objects.update_or_create(
            community=access.community,
            period=period.key,
            defaults={
                "body": body,
                "author": access.user,
                "updated_at": timezone.now(),
            },
        )
    return note


# -- runs -----------------------------------------------------------------------
def members_due(*, period: Period) -> list[int]:
    """Ids of members who should get ``period``'s digest and have no final delivery for it yet.

    Members with at least one community and the matching preference; ordered by id.
    """
    final = DigestDelivery.objects.filter(period=period.key).filter(
        Q(status__in=[Status.SENT, Status.SKIPPED]) | Q(status=Status.FAILED, next_attempt_at__isnull=True)
    )
    return list(
        User.objects.filter(is_active=True, digest_frequency=period.kind, memberships__isnull=False)
        .exclude(pk__in=final.values("user_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def open_run(*, period: Period) -> tuple[DigestRun, list[int]]:
    """Get or create the run of ``period`` and the ids of the members still due. Safe to call again."""
    run, _ = DigestRun.objects.get_or_create(period=period.key, defaults={"kind": period.kind})
    due = members_due(period=period)
    settled = DigestDelivery.objects.filter(period=period.key).exclude(status__in=[Status.PENDING, Status.CLAIMED])
    final = settled.exclude(status=Status.FAILED, next_attempt_at__isnull=False).count()
    run.num_members = final + len(due)
    run.fanned_out_at = timezone.now()
    if due:
        run.finished_at = None
    run.save(update_fields=["num_members", "fanned_out_at", "finished_at"])
    if not due:
        refresh_run(period=period)
    return run, due


def refresh_run(*, period: Period) -> DigestRun | None:
    """Recount a run's deliveries (one aggregate) and mark it finished when nobody is left."""
    counts = DigestDelivery.objects.filter(period=period.key).aggregate(
        sent=Count("pk", filter=Q(status=Status.SENT)),
        skipped=Count("pk", filter=Q(status=Status.SKIPPED)),
        failed=Count("pk", filter=Q(status=Status.FAILED)),
        waiting=Count(
            "pk",
            filter=Q(status__in=[Status.PENDING, Status.CLAIMED])
            | Q(status=Status.FAILED, next_attempt_at__isnull=False),
        ),
    )
    run = DigestRun.objects.filter(period=period.key).first()
    if run is None:
        return None
    run.sent_count, run.skipped_count, run.failed_count = counts["sent"], counts["skipped"], counts["failed"]
    done = counts["waiting"] == 0 and counts["sent"] + counts["skipped"] + counts["failed"] >= run.num_members
    if done and run.finished_at is None:
        run.finished_at = timezone.now()
    run.save(update_fields=["sent_count", "skipped_count", "failed_count", "finished_at"])
    return run


# -- deliveries ---------------------------------------------------------------
def dead_claimers(*, period: Period, user_ids: Iterable[int]) -> list[str]:
    """Identities holding claims among ``user_ids`` whose worker is dead for certain (one query)."""
    held = DigestDelivery.objects.filter(period=period.key, user_id__in=user_ids, status=Status.CLAIMED)
    return workers.dead_among(set(held.values_list("claimed_by", flat=True)))


_CLAIM = """
UPDATE {table} SET status = %(claimed)s, claimed_at = %(now)s, claimed_by = %(me)s,
       attempts = attempts + 1, next_attempt_at = NULL
 WHERE id = (
       SELECT id FROM {table}
        WHERE user_id = %(user_id)s AND period = %(period)s
          AND (status = %(pending)s
               OR (status = %(failed)s AND next_attempt_at <= %(now)s)
               OR (status = %(claimed)s AND (claimed_at < %(stale)s OR claimed_by = ANY(%(dead)s))))
        LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, attempts
"""


def _claim_without_row_locks(params: dict) -> tuple[int, int] | None:
    """``_CLAIM`` for a database without row locks (SQLite, which `make run` uses): SQLite lets one
    writer at a time, so a select and a guarded update in one transaction claim a row just once."""
    claimable = (
        Q(status=params["pending"])
        | Q(status=params["failed"], next_attempt_at__lte=params["now"])
        | Q(status=params["claimed"]) & (Q(claimed_at__lt=params["stale"]) | Q(claimed_by__in=params["dead"]))
    )
    with transaction.atomic():
        rows = DigestDelivery.objects.filter(user_id=params["user_id"], period=params["period"]).filter(claimable)
        pk = rows.values_list("pk", flat=True).first()
        if pk is None:
            return None
        rows.filter(pk=pk).update(
            status=params["claimed"],
            claimed_at=params["now"],
            claimed_by=params["me"],
            attempts=F("attempts") + 1,
            next_attempt_at=None,
        )
        return pk, DigestDelivery.objects.values_list("attempts", flat=True).get(pk=pk)


def claim_delivery(
    *, user_id: int, period: Period, now: dt.datetime | None = None, dead: Iterable[str] = ()
) -> DigestDelivery | None:
    """Claim ``user_id``'s delivery for ``period``; the claimed row, or None if it is not ours to send.

    ``dead`` (from ``dead_claimers``) names claims of dead workers that may be taken back at once.
    One statement: the row is locked (SKIP LOCKED: someone else holds it, so it is not ours) and
    claimed in the same UPDATE, with no transaction around it to wait for.
    """
    now = now or timezone.now()
    me = workers.identity()
    params = {
        "user_id": user_id,
        "period": period.key,
        "now": now,
        "stale": now - dt.timedelta(seconds=settings.DIGEST_CLAIM_TIMEOUT),
        "dead": list(dead),
        "me": me,
        "pending": Status.PENDING,
        "failed": Status.FAILED,
        "claimed": Status.CLAIMED,
    }
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute(_CLAIM.format(table=DigestDelivery._meta.db_table), params)
            row = cursor.fetchone()
    else:
        row = _claim_without_row_locks(params)
    if row is None:
        return None
    pk, attempts = row
    return DigestDelivery(
        pk=pk,
        user_id=user_id,
        period=period.key,
        status=Status.CLAIMED,
        claimed_at=now,
        claimed_by=me,
        attempts=attempts,
        next_attempt_at=None,
    )


def _finish(
    delivery: DigestDelivery,
    *,
    status: str,
    error: str = "",
    message_id: str = "",
    next_attempt_at: dt.datetime | None = None,
) -> None:
    now = timezone.now()
    fields = {"status": status, "error": error[:2000], "next_attempt_at": next_attempt_at}
    if status == Status.SENT:
        fields.update(sent_at=now, message_id=message_id)
    # Only the claim we hold: a row someone re-claimed after a timeout is theirs now.
    DigestDelivery.objects.filter(pk=delivery.pk, status=Status.CLAIMED, claimed_at=delivery.claimed_at).update(
        **fields
    )


@dataclass
class BatchResult:
    sent: list = field(default_factory=list)
    skipped: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    retry: list = field(default_factory=list)  # transient failures, to try again later
    busy: list = field(default_factory=list)  # not ours: sent already or being sent by someone else


def deliver_batch(*, period: Period, user_ids: list[int], progress: Callable[..., Any] | None = None) -> BatchResult:
    """Send ``period``'s digest to each of ``user_ids`` that still needs it; safe to run twice.

    One SMTP connection for the batch; a failure is recorded on the member's
    delivery and the batch goes on. Returns a BatchResult.
    """
    result = BatchResult()
    now = timezone.now()
    DigestDelivery.objects.bulk_create(
        [DigestDelivery(user_id=pk, period=period.key, created_at=now) for pk in user_ids], ignore_conflicts=True
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids).select_related("district")}
    members = list(users.values())
    communities = member_communities_of_many(users=members)
    every_community = {community.pk: community for mine in communities.values() for community in mine}
    batch = {
        # What needs each member, their communities and those communities' news, worked out for the whole batch.
        "calls": calls_to_action_for_many(users=members, month=period),
        "communities": communities,
        "content": community_content_of_many(communities=every_community.values(), period=period),
        "shared": {},
        "parts": {},  # pieces of the email many members get alike, rendered once
        "dead": dead_claimers(period=period, user_ids=user_ids),
        "blocked": mail.suppressed_among(user.email for user in users.values()),
    }
    connection = get_connection()
    try:
        for user_id in user_ids:
            outcome = _deliver_one(users.get(user_id), user_id, period, batch, connection, result)
            if progress is not None:
                progress(user_id, outcome)
    finally:
        connection.close()
    refresh_run(period=period)
    return result


def _deliver_one(
    user: User | None, user_id: int, period: Period, batch: dict[str, Any], connection: Any, result: BatchResult
) -> str:
    delivery = claim_delivery(user_id=user_id, period=period, dead=batch["dead"])
    if delivery is None:
        result.busy.append(user_id)
        return "busy"
    if user is None or not user.is_active or user.digest_frequency != period.kind:
        _finish(delivery, status=Status.SKIPPED, error="The member turned the digest off or left.")
        result.skipped.append(user_id)
        return "skipped"
    if not user.email:
        _finish(delivery, status=Status.FAILED, error="This member has no email address.")
        result.failed.append(user_id)
        return "failed"
    if user.email.lower() in batch["blocked"]:
        _finish(delivery, status=Status.FAILED, error="This address bounced or complained before.")
        result.failed.append(user_id)
        return "failed"
    try:
        digest = digest_for(
            user=user,
            period=period,
            shared=batch["shared"],
            calls=batch["calls"][user.pk],
            communities=batch["communities"][user.pk],
            content=batch["content"],
        )
        if digest is None:
            _finish(delivery, status=Status.SKIPPED, error="Nothing to say this time.")
            result.skipped.append(user_id)
            return "skipped"
        message, message_id = build_digest_email(digest, batch["parts"])
        if settings.DIGEST_SEND_DELAY:
            # Throttle for SMTP providers' rate limits (tests also use it to kill a worker mid-batch).
            time.sleep(settings.DIGEST_SEND_DELAY)
        connection.open()  # no-op while open; reopens after a failure closed it
        message.connection = connection
        message.send()
    except Exception as exc:  # noqa: BLE001 - any failure is recorded on the delivery and the batch goes on
        _close_quietly(connection)
        log.warning("digest %s for user %s failed: %s", period.key, user_id, exc)
        if mail.is_permanent(exc) or delivery.attempts >= settings.DIGEST_MAX_ATTEMPTS:
            _finish(delivery, status=Status.FAILED, error=mail.describe(exc))
            if mail.is_bounce(exc):
                mail.suppress(address=user.email, reason=Suppression.Reason.BOUNCED, detail=mail.describe(exc))
            result.failed.append(user_id)
            return "failed"
        retry_at = timezone.now() + dt.timedelta(seconds=mail.retry_delay(delivery.attempts))
        _finish(delivery, status=Status.FAILED, error=mail.describe(exc), next_attempt_at=retry_at)
        result.retry.append(user_id)
        return "retry"
    # Accepted by the SMTP server: record it before anything else.
    _finish(delivery, status=Status.SENT, message_id=message_id)
    result.sent.append(user_id)
    return "sent"


def _close_quietly(connection: Any) -> None:
    # A broken connection is reopened by the next send.
    with contextlib.suppress(Exception):
        connection.close()


def preview_digest(*, user: User, period: Period | None = None) -> Digest | None:
    """The digest ``user`` would get for ``period`` (default: this month), or None. Sends nothing."""
    return digest_for(user=user, period=period or current_period(MONTHLY))


def preview_member_digest(*, access: Access, member: User, period: Period) -> Digest | None:
    """The part of ``member``'s digest for ``period`` that comes from ``access.community``, or None.

    For the community's moderators: ``member`` must belong to it, and nothing from the
    member's other communities is included (the whole digest stays a staff preview).
    Sends nothing; a fixed number of queries.
    """
    community = access.community
    if not access.may_moderate:
        raise PermissionDenied("Only this community's moderators may preview its members' digests.")
    if not Membership.objects.filter(community=community, user=member).exists():
        raise PermissionDenied("That person is not a member of this community.")
    return digest_for(user=member, period=period, only_community=community)
