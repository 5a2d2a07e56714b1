"""Celery tasks are never lost when the broker (Redis) is unreachable.

Every task of the project is a ``ResilientTask`` (``Celery(task_cls=...)`` in
cop_site/celery.py). Its ``apply_async`` publishes as usual; if the broker cannot be
reached it keeps the task as a ``PendingTask`` row instead of failing the request, and
the request goes on. Kept tasks are sent, oldest first, by the next successful publish in
the process that kept them and by the ``core.send_pending_tasks`` beat job (every
minute). A task may so be sent twice
(a process dies between sending and deleting the row); every task of the project is
safe to run twice.
"""

import logging
import uuid

import redis
from celery import Task, shared_task
from celery.result import AsyncResult
from django.core.cache import cache
from django.db import transaction
from kombu.exceptions import OperationalError

from core.cache import cache_is_degraded

logger = logging.getLogger(__name__)
SEND_BATCH = 200
# The broker refusing a message (kombu), or the Redis result backend failing to subscribe to
# the task's result first (Celery gives up with a RuntimeError).
UNREACHABLE = (OperationalError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, RuntimeError)


class _State:
    # Per process: set when this process kept a task, so its next successful publish
    # sends the kept ones at once. Rows kept by other processes go with the beat job.
    maybe_pending = False
    sending = False


class ResilientTask(Task):
    def apply_async(self, args=None, kwargs=None, task_id=None, **options):
        if self.app.conf.task_always_eager:
            return super().apply_async(args, kwargs, task_id=task_id, **options)
        if cache_is_degraded(cache):
            # Broker and cache share one Redis, known unreachable a moment ago: don't wait for it.
            return _keep(self, args, kwargs, task_id, options, "Redis unreachable")
        try:
            result = super().apply_async(args, kwargs, task_id=task_id, **options)
        except UNREACHABLE as exc:
            return _keep(self, args, kwargs, task_id, options, exc)
        if _State.maybe_pending and not _State.sending:
            send_pending()
        return result


def _keep(task, args, kwargs, task_id, options, exc):
    from core.models import PendingTask

    task_id = task_id or str(uuid.uuid4())
    PendingTask.objects.create(
        task_id=task_id,
        name=task.name,
        args=list(args or ()),
        kwargs=dict(kwargs or {}),
        countdown=options.get("countdown"),
    )
    _State.maybe_pending = True
    logger.warning("Broker unreachable (%s): %s kept to send later", exc, task.name)
    return AsyncResult(task_id, app=task.app)


def send_pending(limit=SEND_BATCH):
    """Publish kept tasks, oldest first; returns how many were sent. Stops at the first broker error."""
    from core.models import PendingTask

    sent = 0
    _State.sending = True
    try:
        with transaction.atomic():
            rows = list(PendingTask.objects.select_for_update(skip_locked=True)[:limit])
            for row in rows:
                task = _task_named(row.name)
                if task is None:
                    logger.error("Kept task %s is not registered; dropped", row.name)
                else:
                    Task.apply_async(task, row.args, row.kwargs, task_id=row.task_id, countdown=row.countdown)
                row.delete()
                sent += 1
    except UNREACHABLE as exc:
        logger.warning("Broker still unreachable (%s); kept tasks wait", exc)
        return 0
    finally:
        _State.sending = False
    if len(rows) < limit:
        _State.maybe_pending = False
    return sent


def _task_named(name):
    from celery import current_app

    return current_app.tasks.get(name)


@shared_task(name="core.send_pending_tasks", soft_time_limit=120, time_limit=150)
def send_pending_tasks():
    """Beat job: send what was kept while the broker was unreachable."""
    return send_pending()
