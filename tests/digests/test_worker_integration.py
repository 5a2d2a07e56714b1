"""The monthly run end to end: a real Celery worker on Redis sending to a real SMTP server on loopback."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings

from cop_site.celery import app as celery_app
from digests.models import DigestDelivery, DigestRun
from digests.tasks import resume_unfinished_runs, start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.digests.world import build_world, next_month
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
SITE_URL = "https://forum.example.org"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(smtp_server, tmp_path):
    """Start real worker processes that read the test database and send to ``smtp_server``."""
    celery_app.conf.task_always_eager = False
    workers = []
    log = open(tmp_path / "worker.log", "ab")  # noqa: SIM115 - closed at teardown

    def start(**extra_env):
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SITE_URL": SITE_URL,
            **smtp_server.env,
            **{key: str(value) for key, value in extra_env.items()},
        }
        env.pop("PYTEST_XDIST_WORKER", None)  # REDIS_URL above already names this test process's database
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "cop_site", "worker", "--pool=solo", "-l", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
    log.close()


def wait_for(condition, timeout=180, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


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
    slow = {"DIGEST_SEND_DELAY": "0.6", "DIGEST_CLAIM_TIMEOUT": "3"}
    first = start_worker(**slow)

    start_monthly_digest.delay(period.key)
    sent = DigestDelivery.objects.filter(period=period.key, status="sent")
    wait_for(lambda: sent.count() >= 2, what="the first sends")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    left_behind = len(members) - sent.count()
    assert left_behind > 0, "the worker finished before it was killed; slow it down further"
    assert DigestRun.objects.get(period=period.key).finished_at is None

    start_worker(**slow)
    time.sleep(3.5)  # the dead worker's claim times out
    resume_unfinished_runs.delay()
    wait_for(lambda: sent.count() == len(members), what="every member")

    recipients = Counter(rcpt for rcpts, _ in smtp_server.handler.received() for rcpt in rcpts)
    assert recipients == Counter({member.email: 1 for member in members})
    wait_for(lambda: DigestRun.objects.get(period=period.key).finished_at is not None, what="the run to finish")
