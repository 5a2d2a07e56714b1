"""The monthly run end to end: a real Celery worker on Redis sending to a real SMTP server on loopback."""

import signal
import time
from collections import Counter

import pytest
from django.conf import settings

from digests.models import DigestDelivery, DigestRun
from digests.tasks import resume_unfinished_runs, start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.digests.world import build_world, next_month
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.workers import SITE_URL, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def finals(period):
    return DigestDelivery.objects.filter(period=period.key, status__in=["sent", "skipped", "failed"]).count()


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def test_the_monthly_run_sends_each_member_one_correct_email_and_a_second_run_sends_nothing(start_worker, smtp_server):
    world = build_world()
    period = world.period
    start_worker()

    start_monthly_digest.delay(period.key)
    wait_for(lambda: finals(period) == 5, what="five deliveries")  # Ana, Ben, Cy, Nia, and the bouncing address

    received = smtp_server.handler.received()
    recipients = Counter(rcpt for rcpts, _ in received for rcpt in rcpts)
    assert recipients["ana@example.com"] == recipients["ben@example.com"] == recipients["cy@example.com"] == 1
    assert "bounce@example.com" not in recipients
    assert len(received) == 4

    (ana,) = smtp_server.handler.to("ana@example.com")
    assert ana["To"] == "ana@example.com"
    assert ana["Subject"] == f"[CoP Forum] Your {period.title} digest"
    assert ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert ana["List-Unsubscribe"].strip().startswith(f"<{SITE_URL}/digests/unsubscribe/")
    assert ana["List-Unsubscribe"].strip().endswith(f"<mailto:{settings.EMAIL_UNSUBSCRIBE_MAILTO}?subject=unsubscribe>")
    assert ana.is_multipart()
    text, html = parts(ana)
    for call in (
        "OURS district hosts",
        "OURS poll: how is it going?",
        "OURS webinar",
        "OURS question nobody answered yet",
    ):
        assert call in text
        assert call in html
    assert f"{SITE_URL}/c/ct-k8/polls/" in text
    assert "OURS note from the moderators." in text
    assert "OURS featured resource" in html
    assert "CIRCLE-ONLY" not in text + html
    assert "Leaders Circle" not in text + html

    (ben,) = smtp_server.handler.to("ben@example.com")
    text, html = parts(ben)
    assert "CIRCLE-ONLY webinar" in text
    assert "OURS webinar" in text
    assert "Leaders Circle" in html

    bounced = DigestDelivery.objects.get(user=world.bouncer, period=period.key)
    assert bounced.status == "failed"
    assert "550" in bounced.error
    wait_for(lambda: DigestRun.objects.get(period=period.key).finished_at is not None, what="the run to finish")
    run = DigestRun.objects.get(period=period.key)
    assert (run.sent_count, run.skipped_count, run.failed_count) == (4, 0, 1)

    assert start_monthly_digest.delay(period.key).get(timeout=60) == 0
    assert resume_unfinished_runs.delay().get(timeout=60) == 0
    time.sleep(1)
    assert len(smtp_server.handler.received()) == 4


def test_a_worker_killed_mid_batch_and_restarted_delivers_to_every_member_exactly_once(start_worker, smtp_server):
    period = next_month()
    community = CommunityFactory()
    CommunityNoteFactory(community=community, period=period.key, body="Welcome to the new month.")
    members = [MembershipFactory(community=community, user=UserFactory()).user for _ in range(8)]
    # The claim timeout is far away: the restarted worker must take back its dead self's claims at once.
    slow = {"DIGEST_SEND_DELAY": "0.6", "DIGEST_CLAIM_TIMEOUT": "900"}
    first = start_worker(**slow)

    start_monthly_digest.delay(period.key)
    sent = DigestDelivery.objects.filter(period=period.key, status="sent")
    claimed = DigestDelivery.objects.filter(period=period.key, status="claimed")
    # Kill it while it holds a claim (it waits DIGEST_SEND_DELAY between claiming and sending).
    wait_for(lambda: sent.count() >= 2 and claimed.count() == 1, what="the first sends and a claim")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    left_behind = len(members) - sent.count()
    assert left_behind > 0, "the worker finished before it was killed; slow it down further"
    assert DigestRun.objects.get(period=period.key).finished_at is None
    assert claimed.count() == 1, "the killed worker holds one claim (the member it was about to send to)"
    start_worker(**slow)  # on start it resumes unfinished runs by itself
    wait_for(lambda: sent.count() == len(members), timeout=60, what="every member, without waiting for the timeout")

    recipients = Counter(rcpt for rcpts, _ in smtp_server.handler.received() for rcpt in rcpts)
    assert recipients == Counter({member.email: 1 for member in members})
    wait_for(lambda: DigestRun.objects.get(period=period.key).finished_at is not None, what="the run to finish")
