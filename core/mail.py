"""The one way the site sends email.

Every email (invitations, join decisions, mentions, replies, resource decisions, reminders,
allauth's account emails, the digest) is built by ``compose``: the subject starts with
``EMAIL_SUBJECT_PREFIX``, a plain-text and an HTML part come from templates, links are
absolute (``core.links``), and an email a person can opt out of carries ``List-Unsubscribe``
with RFC 8058 one-click. ``send`` then delivers a batch exactly once per recipient:

1. one ``EmailDelivery`` row per email (``key`` unique: a task run twice finds its rows);
2. rows still to send are claimed in one statement (``sending``, with the worker's identity);
   a claim of a dead worker on this host is taken back at once, any other after
   ``EMAIL_CLAIM_TIMEOUT``; ``sent`` rows are never claimed again;
3. one SMTP connection for the batch; after each message the first thing done is to mark
   its row ``sent``; a refused recipient is marked ``failed`` and the batch goes on; a
   connection that cannot be made marks the rest ``failed`` (to retry) and stops;
4. addresses that bounced or complained (``Suppression``, fed by the email service's
   webhooks through django-anymail, and by 5xx SMTP answers) are sent nothing.

A task whose result has emails to retry raises ``MailDeferred`` (``core.tasks.retry_later``),
so Celery (``autoretry_for=(MailDeferred,)``) retries it with backoff; the periodic
``core.send_due_emails`` picks up whatever is left (lost tasks, exhausted retries).
"""

import contextlib
import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Lower
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from core import links, workers
from core.models import EmailDelivery, Suppression

log = logging.getLogger(__name__)
Status = EmailDelivery.Status
ONE_CLICK = "List-Unsubscribe=One-Click"
KIND_HEADER = "X-Email-Kind"  # which email this is, for filters, logs and the tests over every kind


class MailDeferred(Exception):
    """Some recipients could not be reached for a passing reason; try the same task again later."""

    def __init__(self, keys):
        super().__init__(f"{len(keys)} email(s) to retry")
        self.keys = keys


@dataclass
class Email:
    """A rendered email to one recipient, and the occasion it belongs to (``key``)."""

    key: str
    kind: str
    to: str
    subject: str
    text: str
    html: str
    headers: dict = field(default_factory=dict)
    ref: tuple = ("", None)


# -- composing ------------------------------------------------------------------------
def subject_prefix():
    return settings.EMAIL_SUBJECT_PREFIX


def with_prefix(subject):
    """The subject on one line, starting with the site's prefix exactly once."""
    subject = " ".join(str(subject).split())
    prefix = subject_prefix()
    return subject if subject.startswith(prefix.strip()) else prefix + subject


def base_context():
    return {
        "SITE_NAME": settings.SITE_NAME,
        "site_url": links.absolute_url("/"),
        "settings_url": links.absolute_url("/settings/"),
    }


def _render_optional(name, context):
    try:
        return render_to_string(name, context)
    except TemplateDoesNotExist:
        return None


def compose(
    *,
    kind,
    template,
    to,
    key,
    context,
    ref=None,
    unsubscribe_url=None,
    headers=None,
):
    """Render ``template`` (``<template>_subject.txt``, ``.txt`` and ``.html``) into an Email.

    ``unsubscribe_url`` (absolute, accepting a one-click POST) adds ``List-Unsubscribe``.
    A kind without an HTML template gets the text wrapped in the site's HTML layout.
    """
    context = {**base_context(), "kind": kind, "unsubscribe_url": unsubscribe_url, **context}
    subject = with_prefix(render_to_string(f"{template}_subject.txt", context))
    text = render_to_string(f"{template}.txt", context).strip() + "\n"
    html = _render_optional(f"{template}.html", context)
    if html is None:
        html = render_text_as_html(subject=subject, text=text, context=context)
    return Email(
        key=key,
        kind=kind,
        to=to,
        subject=subject,
        text=text,
        html=html,
        headers=list_headers(kind=kind, unsubscribe_url=unsubscribe_url, extra=headers),
        ref=ref or ("", None),
    )


def render_text_as_html(*, subject, text, context=None):
    """The HTML part of an email that has only a text template: the text in the site's layout."""
    return render_to_string(
        "core/email/text.html", {**base_context(), **(context or {}), "subject": subject, "text": text}
    )


def list_headers(*, kind, unsubscribe_url=None, extra=None):
    """Headers every email carries: automatic, and a one-click unsubscribe where one exists."""
    headers = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All", KIND_HEADER: kind}
    if unsubscribe_url:
        mailto = settings.EMAIL_UNSUBSCRIBE_MAILTO
        targets = [f"<{unsubscribe_url}>"] + ([f"<mailto:{mailto}?subject=unsubscribe>"] if mailto else [])
        headers["List-Unsubscribe"] = ", ".join(targets)
        headers["List-Unsubscribe-Post"] = ONE_CLICK
        headers["List-Id"] = f"{settings.SITE_NAME} {kind} <{kind}.{links.site_host()}>"
        headers["Precedence"] = "bulk"
    headers.update(extra or {})
    return headers


def message_for(*, to, subject, text, html, headers, connection=None):
    """The Django message of one email: text part first, HTML alternative, our Message-ID."""
    headers = dict(headers)
    headers.setdefault("Message-ID", make_msgid(domain=links.site_host()))
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


# -- suppression ----------------------------------------------------------------------
def suppressed_among(addresses):
    """The lower-cased addresses among ``addresses`` that we must not write to (one query)."""
    wanted = {address.strip().lower() for address in addresses if address}
    if not wanted:
        return set()
    return set(Suppression.objects.filter(address__in=wanted).values_list("address", flat=True))


def suppress(*, address, reason, detail="", source=""):
    """Stop writing to ``address`` (a bounce or complaint). Idempotent; returns the Suppression."""
    suppression, _ = Suppression.objects.get_or_create(
        address=address.strip().lower(),
        defaults={"reason": reason, "detail": detail[:2000], "source": source},
    )
    return suppression


# -- failures -------------------------------------------------------------------------
def is_permanent(exc):
    """True for failures a retry cannot fix: a 5xx answer for the recipient, an address refused."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return type(exc).__name__ == "AnymailRecipientsRefused"


def is_bounce(exc):
    """True when the receiving side refused the address itself: we should stop writing to it."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return is_permanent(exc)
    return type(exc).__name__ == "AnymailRecipientsRefused"


def is_connection_failure(exc):
    """True when nothing can be sent over this connection (server down, dropped, timed out)."""
    if isinstance(exc, (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)):
        return True
    # smtplib's errors are OSErrors too; an answer from the server is not a lost connection.
    return isinstance(exc, OSError) and not isinstance(exc, smtplib.SMTPException)


def describe(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {msg.decode(errors='replace')}" for rcpt, (code, msg) in exc.recipients.items()
        )
    return f"{exc.__class__.__name__}: {exc}"


def retry_delay(attempts):
    """Backoff after ``attempts`` failed tries: 1, 2, 4, 8… minutes, at most an hour."""
    return min(60 * 2 ** max(attempts - 1, 0), 3600)


# -- delivering -----------------------------------------------------------------------
@dataclass
class Result:
    sent: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    retry: list = field(default_factory=list)
    suppressed: list = field(default_factory=list)
    busy: list = field(default_factory=list)  # sent already, or being sent by a live worker


def record(emails):
    """One pending row per email whose key is new; existing rows are kept as they are (one query)."""
    now = timezone.now()
    EmailDelivery.objects.bulk_create(
        [
            EmailDelivery(
                key=email.key,
                kind=email.kind,
                to=email.to,
                ref_type=email.ref[0],
                ref_id=email.ref[1],
                subject=email.subject[:300],
                body_text=email.text,
                body_html=email.html,
                headers=email.headers,
                created_at=now,
            )
            for email in emails
        ],
        ignore_conflicts=True,
    )


def _claimable(now):
    stale = now - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
    return (
        Q(status=Status.PENDING)
        | Q(status=Status.FAILED, next_attempt_at__isnull=False)
        | Q(status=Status.SENDING, claimed_at__lt=stale)
    )


def claim(rows, *, now=None):
    """Claim the rows of ``rows`` (a queryset) still to send; the claimed rows, in key order.

    Fixed number of queries whatever the number of rows. A row being sent by a live worker,
    or already sent, is left alone.
    """
    now = now or timezone.now()
    me = workers.identity()
    claimers = rows.filter(status=Status.SENDING).exclude(claimed_by=me).values_list("claimed_by", flat=True)
    dead = workers.dead_among(set(claimers))
    claimable = _claimable(now) | Q(status=Status.SENDING, claimed_by__in=dead)
    with transaction.atomic():
        ids = list(rows.filter(claimable).select_for_update(skip_locked=True).values_list("pk", flat=True))
        EmailDelivery.objects.filter(pk__in=ids).update(
            status=Status.SENDING, claimed_by=me, claimed_at=now, attempts=F("attempts") + 1, next_attempt_at=None
        )
    return list(EmailDelivery.objects.filter(pk__in=ids).order_by("key"))


def send(emails):
    """Deliver ``emails`` (from ``compose``) once each; returns a Result. See the module docstring."""
    emails = list(emails)
    if not emails:
        return Result()
    record(emails)
    return deliver(EmailDelivery.objects.filter(key__in=[email.key for email in emails]))


def deliver(rows):
    """Claim and send the rows of ``rows`` over one connection; returns a Result."""
    result = Result()
    wanted = list(rows.values_list("key", flat=True))
    claimed = claim(rows)
    mine = {row.key for row in claimed}
    result.busy = [key for key in wanted if key not in mine]
    blocked = suppressed_among(row.to for row in claimed)
    to_send = []
    for row in claimed:
        (result.suppressed if row.to.lower() in blocked else to_send).append(row)
    if result.suppressed:
        EmailDelivery.objects.filter(pk__in=[row.pk for row in result.suppressed]).update(
            status=Status.SUPPRESSED, error="This address bounced or complained before.", body_text="", body_html=""
        )
        result.suppressed = [row.key for row in result.suppressed]
    if to_send:
        _send_rows(to_send, result)
    return result


def _send_rows(rows, result):
    connection = get_connection()
    try:
        for index, row in enumerate(rows):
            message = message_for(
                to=row.to,
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                headers=row.headers,
                connection=connection,
            )
            try:
                connection.open()  # no-op while open; reopens after a failure closed it
                message.send()
            except Exception as exc:  # noqa: BLE001 - recorded on the row; the batch goes on
                _close_quietly(connection)
                log.warning("email %s to %s failed: %s", row.key, row.to, exc)
                if is_connection_failure(exc):
                    _retry_later(rows[index:], exc, result)
                    return
                _failed(row, exc, result)
                continue
            # The SMTP server has the message: say so before doing anything else.
            EmailDelivery.objects.filter(pk=row.pk).update(
                status=Status.SENT,
                sent_at=timezone.now(),
                message_id=message.extra_headers["Message-ID"],
                error="",
                body_text="",
                body_html="",
            )
            result.sent.append(row.key)
    finally:
        _close_quietly(connection)


def _failed(row, exc, result):
    if is_permanent(exc):
        EmailDelivery.objects.filter(pk=row.pk).update(status=Status.FAILED, error=describe(exc)[:2000])
        if is_bounce(exc):
            suppress(address=row.to, reason=Suppression.Reason.BOUNCED, detail=describe(exc), source="smtp")
        result.failed.append(row.key)
        return
    _retry_later([row], exc, result)


def _retry_later(rows, exc, result):
    """Failed for a passing reason: retry while attempts remain, else failed for good."""
    now = timezone.now()
    error = describe(exc)[:2000]
    for row in rows:
        if row.attempts >= settings.EMAIL_MAX_ATTEMPTS:
            EmailDelivery.objects.filter(pk=row.pk).update(status=Status.FAILED, error=error, next_attempt_at=None)
            result.failed.append(row.key)
        else:
            retry_at = now + dt.timedelta(seconds=retry_delay(row.attempts))
            EmailDelivery.objects.filter(pk=row.pk).update(status=Status.FAILED, error=error, next_attempt_at=retry_at)
            result.retry.append(row.key)


def _close_quietly(connection):
    with contextlib.suppress(Exception):
        connection.close()


# -- the outbox -----------------------------------------------------------------------
def queue(emails):
    """Record ``emails`` now and send them from a Celery task after the transaction commits.

    For email written during a request (allauth's confirmation and password-reset mails): the
    request never waits for SMTP, and a server that is down delays the email instead of
    failing the page. Returns the keys.
    """
    from core.tasks import send_stored_emails

    emails = list(emails)
    record(emails)
    keys = [email.key for email in emails]
    transaction.on_commit(lambda: send_stored_emails.delay(keys), robust=True)
    return keys


def resend(*, delivery):
    """Send a failed email again (a moderator's "Send again"). Returns True if it was queued."""
    from core.tasks import send_stored_emails

    reset = EmailDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=None, error=""
    )
    if reset:
        transaction.on_commit(lambda: send_stored_emails.delay([delivery.key]), robust=True)
    return bool(reset)


def due_rows(*, now=None):
    """Rows waiting for a send: pending a while, failed with a retry whose time has come, or claims
    that are stale or held by a dead worker of this host (two queries)."""
    now = now or timezone.now()
    settled = now - dt.timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT)
    claimers = EmailDelivery.objects.filter(status=Status.SENDING).values_list("claimed_by", flat=True).distinct()
    return EmailDelivery.objects.filter(
        Q(status=Status.PENDING, created_at__lt=settled)
        | Q(status=Status.FAILED, next_attempt_at__lte=now)
        | Q(status=Status.SENDING, claimed_at__lt=settled)
        | Q(status=Status.SENDING, claimed_by__in=workers.dead_among(set(claimers)))
    )


def address_suppressed(address_field="email"):
    """An Exists() that is true when the address in ``address_field`` bounced or complained before."""
    return Exists(Suppression.objects.filter(address=Lower(OuterRef(address_field))))


def latest_delivery_status(ref_type, ref_id_field="pk"):
    """A subquery: the status of the newest email about each row (``ref_type`` and its id)."""
    newest = EmailDelivery.objects.filter(ref_type=ref_type, ref_id=OuterRef(ref_id_field)).order_by("-created_at")
    return Subquery(newest.values("status")[:1])
