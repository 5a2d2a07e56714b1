"""Celery tasks of the digest: start a run, send batches, resume what a dead worker left.

Every task takes a period key and ids and can run twice: the delivery rows
(services.claim_delivery) decide who still needs an email.
"""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core import mail
from digests import services
from digests.models import DigestRun
from digests.periods import MONTHLY, WEEKLY, current_period, parse_period


def fan_out(period):
    """Open ``period``'s run and hand its remaining members to batch tasks. Returns the number of batches."""
    _run, due = services.open_run(period=period)
    size = settings.DIGEST_BATCH_SIZE
    batches = [due[i : i + size] for i in range(0, len(due), size)]
    for batch in batches:
        send_digest_batch.delay(period.key, batch)
    return len(batches)


@shared_task(name="digests.start_monthly_digest", soft_time_limit=300, time_limit=360)
def start_monthly_digest(period=None):
    """Beat, monthly: this month's digest for everyone who chose monthly."""
    return fan_out(parse_period(period) if period else current_period(MONTHLY))


@shared_task(name="digests.start_weekly_digest", soft_time_limit=300, time_limit=360)
def start_weekly_digest(period=None):
    """Beat, Mondays: this week's digest for everyone who chose weekly."""
    return fan_out(parse_period(period) if period else current_period(WEEKLY))


@shared_task(name="digests.resume_unfinished_runs", soft_time_limit=300, time_limit=360)
def resume_unfinished_runs():
    """Beat: fan out again the runs of the past week that still have members waiting.

    A batch whose worker was killed comes back from the broker only after its
    visibility timeout; this brings its members back sooner (their claims time out first).
    """
    recent = timezone.now() - dt.timedelta(days=7)
    periods = DigestRun.objects.filter(finished_at__isnull=True, started_at__gte=recent).values_list(
        "period", flat=True
    )
    return sum(fan_out(parse_period(key)) for key in periods)


@shared_task(
    bind=True,
    name="digests.send_digest_batch",
    soft_time_limit=600,
    time_limit=660,
    max_retries=None,  # the deliveries count attempts (DIGEST_MAX_ATTEMPTS)
)
def send_digest_batch(self, period, user_ids):
    """Send ``period``'s digest to ``user_ids``; members whose send failed for a passing reason are retried later."""
    result = services.deliver_batch(period=parse_period(period), user_ids=user_ids)
    if result.retry:
        attempts = self.request.retries + 1
        raise self.retry(args=(period, result.retry), countdown=mail.retry_delay(attempts))
    return {"sent": len(result.sent), "skipped": len(result.skipped), "failed": len(result.failed)}
