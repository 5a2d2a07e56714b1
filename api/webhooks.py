"""Webhooks: managers register an HTTPS address for a community's events; each event is sent once per
webhook, signed, retried with backoff, recorded, and never sent to the server's own network.

- ``register_webhook`` / ``delete_webhook``: moderators of the community (communities.permissions).
  The address must be https and resolve only to public addresses (core/netguard.py, the link
  checker's guard); the check is made again before every send, and the connection goes to the
  address that was checked. ``WEBHOOK_ALLOW_PRIVATE`` (tests only, never in production) lets
  http and loopback through.
- ``queue_event``: one ``WebhookDelivery`` per subscribed webhook (unique per event: safe twice).
- ``announce_poll_closed`` / ``closed_polls_to_announce``: a poll's closing is one ``poll.closed`` event,
  whether a leader closed it or its closing time passed (the ``api.announce_closed_polls`` beat task).
- ``attempt``: claim one delivery, POST it, record the answer. After ``WEBHOOK_MAX_ATTEMPTS`` a
  delivery has failed; after ``WEBHOOK_DISABLE_AFTER`` failed deliveries in a row the webhook is
  switched off and whoever registered it is emailed (core/mail.py).

The body is JSON; ``X-CoP-Signature: sha256=<hex>`` is the HMAC-SHA256, keyed by the webhook's
secret, of ``<X-CoP-Timestamp>.<body>``.
"""

import hashlib
import hmac
import http.client
import json
import secrets
import socket
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from api.models import PollClosing, Webhook, WebhookDelivery
from communities.permissions import check
from core import links, mail
from core.netguard import UnsafeAddress, host_is_obviously_private, resolve_public
from polls.models import Poll
from resources.linkcheck import _PinnedHTTPConnection, _PinnedHTTPSConnection

Status = WebhookDelivery.Status
TIMEOUT_SECONDS = 5


def serialized(serializer, instance):
    """An event's object as the API shows it: ``api.serializers.<serializer>(instance).data``."""
    # Imported here: the serializers bring the REST framework (and pygments, markdown), which a web
    # worker that only serves pages then never loads (issue 19, memory).
    from api import serializers

    return getattr(serializers, serializer)(instance).data


MAX_WEBHOOKS_PER_COMMUNITY = 10
USER_AGENT = "CoPForumWebhooks/1.0"
CLAIM_TIMEOUT = timedelta(minutes=5)


def sign(secret, timestamp, body):
    return "sha256=" + hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _check_address(url):
    """Raise ValidationError unless ``url`` is an https address whose every IP is public; returns (parts, ip)."""
    parts = urlsplit(url)
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValidationError({"url": "Use an address that starts with https://."})
    if parts.username or parts.password:
        raise ValidationError({"url": "Leave the user name and password out of the address."})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        try:
            return parts, socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)[0][4][0]
        except OSError as exc:
            raise ValidationError({"url": f"The name {parts.hostname} does not resolve."}) from exc
    if host_is_obviously_private(parts.hostname):
        raise ValidationError({"url": "That address points to this server or a private network."})
    try:
        return parts, resolve_public(parts.hostname, port)
    except UnsafeAddress as exc:
        raise ValidationError({"url": f"That address is refused: {exc}."}) from exc
    except OSError as exc:
        raise ValidationError({"url": f"That address is refused: {exc}."}) from exc


def register_webhook(*, access, url, events):
    """Register ``url`` for ``events`` of ``access.community`` (its moderators); returns (webhook, secret)."""
    check(access, "manage")
    url = (url or "").strip()
    if not url or len(url) > 500:
        raise ValidationError({"url": "Give an https address of at most 500 characters."})
    events = list(dict.fromkeys(events or []))
    if not events or any(event not in Webhook.Event.values for event in events):
        raise ValidationError({"events": "Pick one or more of the events listed."})
    _check_address(url)
    if Webhook.objects.filter(community=access.community).count() >= MAX_WEBHOOKS_PER_COMMUNITY:
        raise ValidationError(f"A community has at most {MAX_WEBHOOKS_PER_COMMUNITY} webhooks; delete one first.")
    secret = secrets.token_hex(32)
    webhook = Webhook.objects.create(
        community=access.community, url=url, events=events, secret=secret, created_by=access.user
    )
    return webhook, secret


def delete_webhook(*, access, webhook):
    check(access, "manage")
    Webhook.objects.filter(pk=webhook.pk, community=access.community).delete()


def queue_event(*, community_id, event, event_id, data):
    """Record one delivery of ``event`` for every active webhook of the community that wants it; their ids."""
    hooks = [
        hook
        for hook in Webhook.objects.filter(community_id=community_id, is_active=True).only("pk", "events")
        if event in hook.events
    ]
    made = []
    for hook in hooks:
        payload = {"id": event_id, "event": event, "created_at": timezone.now(), "data": data}
        payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
        try:
            with transaction.atomic():
                made.append(
                    WebhookDelivery.objects.create(webhook=hook, event=event, event_id=event_id, payload=payload).pk
                )
        except IntegrityError:  # the same event again (a signal sent twice): one delivery
            continue
    return made


def announce_poll_closed(*, poll):
    """Queue ``poll.closed`` for the closing of ``poll`` at its ``closes_at``, once: another call for the same
    closing (a leader's close and the sweep, a task run twice, two workers at once) queues nothing.

    Returns the ids of the deliveries made (to send once the caller's transaction has committed), or None
    when this closing was announced before.
    """
    if poll.closes_at is None:
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                PollClosing.objects.create(poll=poll, closes_at=poll.closes_at)
        except IntegrityError:
            return None
        data = {"community": poll.community.slug, "poll": serialized("PollSerializer", poll)}
        event_id = f"poll-closed:{poll.pk}:{int(poll.closes_at.timestamp())}"
        return queue_event(
            community_id=poll.community_id, event=Webhook.Event.POLL_CLOSED, event_id=event_id, data=data
        )


def closed_polls_to_announce(*, now=None, limit=500):
    """Polls whose closing time passed within ``WEBHOOK_POLL_CLOSED_LOOKBACK_HOURS`` and was not announced yet,
    oldest closing first, with what the event's body shows (2 queries).

    The window keeps a first run (or a beat that was down for long) from announcing polls closed long ago.
    """
    now = now or timezone.now()
    since = now - timedelta(hours=settings.WEBHOOK_POLL_CLOSED_LOOKBACK_HOURS)
    announced = PollClosing.objects.filter(poll=OuterRef("pk"), closes_at=OuterRef("closes_at"))
    return list(
        Poll.objects.filter(closes_at__lte=now, closes_at__gt=since)
        .exclude(Exists(announced))
        .select_related("community")
        .prefetch_related("choices")
        .order_by("closes_at", "pk")[:limit]
    )


def _claim(delivery_id, now):
    """Take a delivery that is due (or whose claim is stale) for this attempt; None if another has it."""
    stale = Q(status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    claimed = WebhookDelivery.objects.filter(due | stale, pk=delivery_id).update(
        status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook", "webhook__community").get(pk=delivery_id)


def _post(url, body, headers):
    parts, address = _check_address(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    connection_class = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(parts.hostname, port, address, timeout=TIMEOUT_SECONDS)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(16 * 1024)
        return response.status
    finally:
        connection.close()


def attempt(delivery_id, *, now=None):
    """Send one delivery if it is due; returns the delivery's status afterwards (None: not ours to send)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.is_active:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, error="The webhook is off.")
        return Status.FAILED
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CoP-Event": delivery.event,
        "X-CoP-Delivery": delivery.event_id,
        "X-CoP-Timestamp": timestamp,
        "X-CoP-Signature": sign(webhook.secret, timestamp, body),
    }
    code, error, final = None, "", False
    try:
        code = _post(webhook.url, body, headers)
    except ValidationError as exc:
        error, final = " ".join(exc.messages)[:300], True  # a private address is never tried again
    except (OSError, http.client.HTTPException) as exc:
        error = (str(exc) or exc.__class__.__name__)[:300]
    if code is not None and 200 <= code < 300:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.DELIVERED, response_code=code, error="", delivered_at=timezone.now()
        )
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return Status.DELIVERED
    if code is not None:
        error = f"The address answered {code}."
    if not final and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
        wait = settings.WEBHOOK_RETRY_BACKOFF * 2 ** (delivery.attempts - 1)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=Status.PENDING, response_code=code, error=error, next_attempt_at=now + timedelta(seconds=wait)
        )
        return Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, response_code=code, error=error)
    _count_failure(webhook)
    return Status.FAILED


def _count_failure(webhook):
    with transaction.atomic():
        hook = Webhook.objects.select_for_update().get(pk=webhook.pk)
        hook.consecutive_failures += 1
        disable = hook.is_active and hook.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER
        if disable:
            hook.is_active, hook.disabled_at = False, timezone.now()
        hook.save(update_fields=["consecutive_failures", "is_active", "disabled_at"])
    if disable:
        tell_manager_webhook_disabled(webhook=hook)


def tell_manager_webhook_disabled(*, webhook):
    """Email whoever registered ``webhook`` that it was switched off (once per switch-off)."""
    person = webhook.created_by
    if person is None or not person.email or not person.is_active:
        return None
    community = webhook.community
    email = mail.compose(
        kind="webhook_disabled",
        template="api/email/webhook_disabled",
        to=person.email,
        key=f"webhook-disabled:{webhook.pk}:{int(webhook.disabled_at.timestamp())}",
        context={
            "person": person,
            "webhook": webhook,
            "community": community,
            "failures": webhook.consecutive_failures,
            "url": links.absolute_url(community.get_absolute_url()),
        },
        ref=("webhook", webhook.pk),
    )
    return mail.send([email])


def due_deliveries(*, now=None, limit=500):
    now = now or timezone.now()
    stale = Q(status=Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    due = Q(status=Status.PENDING, next_attempt_at__lte=now)
    return list(
        WebhookDelivery.objects.filter(due | stale).order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def seconds_until_due(delivery_id):
    due = WebhookDelivery.objects.values_list("next_attempt_at", flat=True).get(pk=delivery_id)
    return max(0, int((due - timezone.now()).total_seconds()))
