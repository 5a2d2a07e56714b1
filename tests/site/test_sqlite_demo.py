"""The embedded default (SQLite, no Redis: what `make run` uses) serves every page of the demo."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.site.crawl_demo import ROLES

pytestmark = pytest.mark.slow  # long: run first, so no worker waits on it at the end (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_page_answers_without_a_server_error_for_every_role_on_sqlite(tmp_path):
    # A process of its own: this one's settings point at PostgreSQL and Redis.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", DEMO_MODE="1")
    result = subprocess.run(
        [sys.executable, "-m", "tests.site.crawl_demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    report = result.stdout + result.stderr[-5000:]
    assert result.returncode == 0, report
    for role in ROLES:
        visited = re.search(rf"^{role} +(\d+) pages, 0 failed", result.stdout, re.MULTILINE)
        assert visited, report
        assert int(visited.group(1)) >= 40, f"{role} reached only {visited.group(1)} pages:\n{report}"
