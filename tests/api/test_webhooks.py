"""Webhooks: a receiver on loopback verifies the signature; failures retry with backoff, then switch
the webhook off and email its manager; private addresses are refused at save and at send."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail as django_mail
from django.utils import timezone
from rest_framework.test import APIClient

from api import webhooks
from api.models import Webhook, WebhookDelivery
from api.tasks import announce_closed_polls, send_due_webhooks
from calendar_app import services as calendar_services
from communities.permissions import access_for
from discussions import services as discussion_services
from polls import services as poll_services
from polls.models import Poll
from tests.discussions.factories import ThreadFactory
from tests.factories import MembershipFactory
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    """Answers with the next status of ``server.answers`` (200 when they run out) and keeps what came."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((dict(self.headers), body))
        status = self.server.answers.pop(0) if self.server.answers else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    server.received, server.answers = [], []
    # A short poll: shutdown() waits up to one poll interval (0.5 s by default) for the loop to stop.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def allow_loopback(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    settings.WEBHOOK_RETRY_BACKOFF = 60


def verify(secret, headers, body):
    expected = (
        "sha256="
        + hmac.new(secret.encode(), headers["X-CoP-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    )
    return hmac.compare_digest(expected, headers["X-CoP-Signature"])


def register(community, moderator, url, events=("thread.created",)):
    return webhooks.register_webhook(access=access_for(moderator, community), url=url, events=list(events))


def start_thread(community, member, title="Exit tickets?"):
    return discussion_services.create_thread(
        author=member, community=community, title=title, body="How do you use them?", kind="question"
    )


def test_new_thread_is_delivered_signed_to_the_receiver(
    community, moderator, member, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    _webhook, secret = register(community, moderator, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        thread = start_thread(community, member)
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body)
    assert not verify("another-secret", headers, body)
    payload = json.loads(body)
    assert payload["event"] == "thread.created"
    assert payload["data"]["thread"]["title"] == "Exit tickets?"
    assert headers["X-CoP-Delivery"] == f"thread:{thread.pk}"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 1)


def test_a_delivery_sent_twice_reaches_the_receiver_once(
    community, moderator, member, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    register(community, moderator, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        thread = start_thread(community, member)
    assert (
        webhooks.queue_event(community_id=community.pk, event="thread.created", event_id=f"thread:{thread.pk}", data={})
        == []
    )
    delivery = WebhookDelivery.objects.get()
    assert webhooks.attempt(delivery.pk) is None
    assert len(receiver.received) == 1


def test_failures_retry_with_backoff_then_succeed(
    community, moderator, member, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    register(community, moderator, receiver.url)
    receiver.answers = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(community, member)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("pending", 500, 1)
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    assert send_due_webhooks.delay().get() == 0  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    send_due_webhooks.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("pending", 503, 2)
    first_wait = delivery.next_attempt_at - timezone.now()
    assert first_wait > timedelta(seconds=110)  # doubled
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    send_due_webhooks.delay()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.response_code, delivery.attempts) == ("delivered", 200, 3)
    assert len(receiver.received) == 3


def test_repeated_failures_switch_the_webhook_off_and_email_its_manager(
    community, moderator, member, receiver, allow_loopback, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    settings.WEBHOOK_DISABLE_AFTER = 2
    webhook, _secret = register(community, moderator, receiver.url)
    receiver.answers = [500, 500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(community, member, "One")
        start_thread(community, member, "Two")
    webhook.refresh_from_db()
    assert not webhook.is_active
    assert webhook.consecutive_failures == 2
    (notice,) = [m for m in django_mail.outbox if m.extra_headers["X-Email-Kind"] == "webhook_disabled"]
    assert notice.to == [moderator.email]
    assert receiver.url in notice.body
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(community, member, "Three")
    assert len(receiver.received) == 2  # switched off: nothing more


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/x",
        "https://[::1]/x",
        "https://169.254.169.254/latest",
        "http://example.org/hook",
        "ftp://example.org/x",
        "https://user:pw@example.org/",
    ],
)
def test_private_and_non_https_addresses_are_refused_at_save(community, moderator, url):
    client = APIClient()
    client.force_authenticate(moderator)
    response = client.post(
        f"/api/v1/communities/{community.slug}/webhooks/", {"url": url, "events": ["thread.created"]}, format="json"
    )
    assert response.status_code == 400
    assert "url" in response.json()["errors"]
    assert not Webhook.objects.exists()


def test_an_address_that_turned_private_is_refused_at_send(
    community, moderator, member, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    register(community, moderator, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE = False  # as in production: its name now points at 127.0.0.1
    with django_capture_on_commit_callbacks(execute=True):
        start_thread(community, member)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "https" in delivery.error or "private" in delivery.error
    assert receiver.received == []


def test_managers_register_through_the_api_and_see_deliveries(
    community, moderator, member, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    client = APIClient()
    client.force_authenticate(moderator)
    path = f"/api/v1/communities/{community.slug}/webhooks/"
    response = client.post(path, {"url": receiver.url, "events": ["poll.closed"]}, format="json")
    assert response.status_code == 201
    assert len(response.json()["secret"]) == 64
    assert "secret" not in client.get(path).json()["results"][0]
    poll = PollFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        poll_services.close_poll(access=access_for(moderator, community), poll=poll)
    deliveries = client.get(f"{path}{response.json()['id']}/deliveries/").json()["results"]
    assert [(d["event"], d["status"], d["response_code"]) for d in deliveries] == [("poll.closed", "delivered", 200)]
    members_client = APIClient()
    members_client.force_authenticate(member)
    assert members_client.get(path).status_code == 403
    assert members_client.post(path, {"url": receiver.url, "events": ["poll.closed"]}, format="json").status_code == 403


def test_unknown_events_are_a_400(community, moderator):
    client = APIClient()
    client.force_authenticate(moderator)
    response = client.post(
        f"/api/v1/communities/{community.slug}/webhooks/",
        {"url": "https://example.org/hook", "events": ["thread.deleted"]},
        format="json",
    )
    assert response.status_code == 400


def test_reply_webhook_thread_untouched(
    community, moderator, member, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    register(community, moderator, receiver.url, events=["reply.created"])
    thread = ThreadFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        discussion_services.create_reply(access=access_for(member, community), thread=thread, body="Try this")
    ((_headers, body),) = receiver.received
    assert json.loads(body)["data"]["post"]["body"] == "Try this"


def closed_poll(community, ago=timedelta(minutes=3), **extra):
    now = timezone.now()
    return PollFactory(community=community, opens_at=now - ago - timedelta(days=2), closes_at=now - ago, **extra)


def test_a_poll_whose_time_passed_is_announced_once_across_two_runs(community, moderator, receiver, allow_loopback):
    _webhook, secret = register(community, moderator, receiver.url, events=["poll.closed"])
    poll = closed_poll(community, question="Exit tickets this term?")
    PollFactory(community=community)  # still open
    PollFactory(community=community, closes_at=None)  # open until a leader closes it
    assert announce_closed_polls.delay().get() == 1
    assert announce_closed_polls.delay().get() == 0
    ((headers, body),) = receiver.received
    assert verify(secret, headers, body)
    payload = json.loads(body)
    assert payload["event"] == "poll.closed"
    assert payload["data"]["poll"]["question"] == "Exit tickets this term?"
    assert payload["data"]["poll"]["status"] == "closed"
    assert headers["X-CoP-Delivery"] == f"poll-closed:{poll.pk}:{int(poll.closes_at.timestamp())}"
    assert WebhookDelivery.objects.get().status == "delivered"


def test_a_poll_a_leader_closed_is_not_announced_again_by_the_sweep(
    community, moderator, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    register(community, moderator, receiver.url, events=["poll.closed"])
    poll = PollFactory(community=community)
    with django_capture_on_commit_callbacks(execute=True):
        poll_services.close_poll(access=access_for(moderator, community), poll=poll)
    assert len(receiver.received) == 1
    assert announce_closed_polls.delay().get() == 0
    assert len(receiver.received) == 1


def test_the_sweep_first_then_the_signal_announces_nothing_more(community, moderator, receiver, allow_loopback):
    register(community, moderator, receiver.url, events=["poll.closed"])
    poll = closed_poll(community)
    assert announce_closed_polls.delay().get() == 1
    assert webhooks.announce_poll_closed(poll=poll) is None  # the signal of a late close, or a second worker
    assert len(receiver.received) == 1


def test_a_poll_reopened_and_closed_again_is_announced_again(community, moderator, receiver, allow_loopback):
    register(community, moderator, receiver.url, events=["poll.closed"])
    poll = closed_poll(community, ago=timedelta(hours=2))
    assert announce_closed_polls.delay().get() == 1
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert announce_closed_polls.delay().get() == 1
    assert len({headers["X-CoP-Delivery"] for headers, _body in receiver.received}) == 2


def test_polls_closed_before_the_lookback_are_not_announced_late(
    community, moderator, receiver, allow_loopback, settings
):
    settings.WEBHOOK_POLL_CLOSED_LOOKBACK_HOURS = 48
    register(community, moderator, receiver.url, events=["poll.closed"])
    closed_poll(community, ago=timedelta(hours=49))
    assert announce_closed_polls.delay().get() == 0
    assert receiver.received == []


def test_a_closed_poll_reaches_only_its_communitys_webhooks_that_want_it(
    community, moderator, receiver, allow_loopback
):
    register(community, moderator, receiver.url, events=["thread.created"])
    other = MembershipFactory(is_moderator=True)
    register(other.community, other.user, receiver.url, events=["poll.closed"])
    closed_poll(community)
    assert announce_closed_polls.delay().get() == 1  # announced, to nobody who asked for it
    assert receiver.received == []
    assert not WebhookDelivery.objects.exists()


def test_the_sweep_is_scheduled_with_an_explicit_name_and_time_limits(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["api-announce-closed-polls"]
    assert entry["task"] == announce_closed_polls.name == "api.announce_closed_polls"
    assert (announce_closed_polls.soft_time_limit, announce_closed_polls.time_limit) == (120, 180)


def test_an_activity_created_and_then_changed_twice_is_three_events(
    community, moderator, receiver, allow_loopback, django_capture_on_commit_callbacks
):
    _webhook, secret = register(community, moderator, receiver.url, events=["activity.created", "activity.changed"])
    access = access_for(moderator, community)
    start = timezone.now() + timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        activity = calendar_services.schedule_activity(
            access=access, title="Site visit", kind="site_visit", start=start, end=start + timedelta(hours=2)
        )
    for title in ("Site visit: Lincoln", "Site visit: Lincoln Elementary"):
        with django_capture_on_commit_callbacks(execute=True):
            calendar_services.update_activity(access=access, activity=activity, title=title)
    events = [
        (headers["X-CoP-Event"], json.loads(body)["data"]["activity"]["title"]) for headers, body in receiver.received
    ]
    assert events == [
        ("activity.created", "Site visit"),
        ("activity.changed", "Site visit: Lincoln"),
        ("activity.changed", "Site visit: Lincoln Elementary"),
    ]
    assert len({headers["X-CoP-Delivery"] for headers, _body in receiver.received}) == 3
    assert all(verify(secret, headers, body) for headers, body in receiver.received)
