"""Notification emails, through core.mail: batched per person and email group, one SMTP connection a run.

A run claims the due rows (``select_for_update(skip_locked)``), records one email per
person and group and marks the rows emailed in the same transaction, then delivers: a
second run, or a second worker, finds nothing left to claim, and ``core.mail`` sends each
recorded email once (its key names the person and the first row of the batch).
"""

from collections import defaultdict

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import mail
from core.links import absolute_url
from core.models import EmailDelivery
from notifications import kinds, selectors
from notifications.models import Notification

SALT = "notifications.unsubscribe"
MAX_AGE_DAYS = 365
BATCH_LIMIT = 2000


def unsubscribe_token(user, kind):
    return signing.dumps({"u": user.pk, "k": kind}, salt=SALT, compress=True)


def read_unsubscribe_token(token):
    """(user id, kind) named by ``token``; raises signing.BadSignature."""
    data = signing.loads(token, salt=SALT, max_age=MAX_AGE_DAYS * 86400)
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise signing.BadSignature("token without a person")
    if data.get("k") != "daily" and data.get("k") not in kinds.KINDS:
        raise signing.BadSignature("token without a kind")
    return data["u"], data["k"]


def unsubscribe_url(user, kind):
    return absolute_url(reverse("notifications:unsubscribe", kwargs={"token": unsubscribe_token(user, kind)}))


def _subject(rows, group):
    first = rows[0]
    if len(rows) == 1:
        return first.sentence
    if group == "daily":
        return f"Your daily summary: {len(rows)} notifications"
    if kinds.KINDS[first.kind].moderators:
        return f"{len(rows)} things need moderation in {first.community.name if first.community else 'your community'}"
    return f"{len(rows)} new replies in “{first.subject}”"


def compose(person, rows, group):
    kind = "daily" if group == "daily" else rows[0].kind
    email_kind = "notification_summary" if group == "daily" else f"notification_{kind}"
    items = [{"row": row, "url": absolute_url(reverse("notifications:go", args=[row.pk]))} for row in rows]
    return mail.compose(
        kind=email_kind,
        template="notifications/email/notification",
        to=person.email,
        key=f"notifications:{person.pk}:{rows[0].pk}:{len(rows)}",
        context={
            "person": person,
            "items": items,
            "headline": _subject(rows, group),
            "kind_label": "your daily summary" if group == "daily" else kinds.KINDS[kind].label.lower(),
            "preferences_url": absolute_url(reverse("accounts:settings")) + "#notification-preferences",
            "all_url": absolute_url(reverse("notifications:list")),
        },
        ref=("notification", rows[0].pk),
        unsubscribe_url=unsubscribe_url(person, kind),
    )


def send_due(*, now=None, limit=BATCH_LIMIT):
    """Email every due notification, one email per person and group; returns core.mail's Result.

    Rows whose recipient may no longer see the community, or has no address, are marked
    handled without an email. A fixed number of queries for the claim, whatever the rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = list(
            selectors.due_for_email(now)
            .select_related("recipient", "actor", "community")
            .select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        if not rows:
            return mail.Result()
        allowed = set(
            Notification.objects.filter(pk__in=[row.pk for row in rows])
            .filter(selectors.recipient_may_see_q())
            .values_list("pk", flat=True)
        )
        groups = defaultdict(list)
        for row in rows:
            if row.pk in allowed and row.recipient.is_active and row.recipient.email:
                groups[(row.recipient_id, row.email_group or f"one:{row.pk}")].append(row)
        emails = []
        for (_, group), batch in groups.items():
            email = compose(batch[0].recipient, batch, group)
            emails.append(email)
            for row in batch:
                row.email_key = email.key
        mail.record(emails)
        for row in rows:
            row.emailed_at = now
        Notification.objects.bulk_update(rows, ["emailed_at", "email_key"], batch_size=500)
    return mail.deliver(EmailDelivery.objects.filter(key__in=[email.key for email in emails]))
