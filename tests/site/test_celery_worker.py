import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from cop_site.celery import app as celery_app
from tests.celery_tasks import debug_ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_worker():
    """A real Celery worker process consuming from the Redis broker the tests use."""
    celery_app.conf.task_always_eager = False
    env = {**os.environ, "REDIS_URL": settings.REDIS_URL, "CELERY_TEST_TASKS": "true"}
    env.pop("PYTEST_XDIST_WORKER", None)  # the URL above already names this worker's database
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cop_site", "worker", "--pool=solo", "--concurrency=1", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield worker
    worker.terminate()
    worker.wait(timeout=20)


@pytest.mark.worker
def test_a_real_worker_runs_a_task_sent_through_redis(real_worker):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    result = debug_ping.delay("hello from the test")
    assert result.get(timeout=60) == "hello from the test"
