"""Real Celery worker processes for tests marked ``worker`` (fixture ``start_worker`` in tests/conftest.py)."""

import os
import subprocess
import sys
import time

from django.conf import settings

from tests.processes import ROOT, database_url

SITE_URL = "https://forum.example.org"


def start(log, smtp_server, **extra_env):
    """A worker process reading the test database and sending to ``smtp_server``."""
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
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "cop_site", "worker", "--pool=solo", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, timeout=180, what="the worker"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")
