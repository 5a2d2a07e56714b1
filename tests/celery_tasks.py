"""Celery tasks that exist only for tests; a worker loads them with CELERY_TEST_TASKS=true (settings)."""

from celery import shared_task


@shared_task(name="tests.debug_ping", soft_time_limit=10, time_limit=20)
def debug_ping(value="pong"):
    """Echo a value back: proves a worker is consuming from the broker."""
    return value
