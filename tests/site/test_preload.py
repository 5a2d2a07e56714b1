"""gunicorn loads the application in its master and forks the workers from it (gunicorn.conf.py,
issue 19, memory). That is safe only while loading opens no connection: a socket to PostgreSQL
or Redis open in the master would be shared by every worker it forks, and their queries and
replies would mix."""

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.processes import ROOT, child_env, free_port, gunicorn_command, run_python, tcp_sockets, wait_until_serving

pytestmark = pytest.mark.django_db(transaction=True)

LOAD = """
import json, os, sys
import cop_site.wsgi
from django.db import connections
from tests.processes import tcp_sockets

print(json.dumps({
    "tcp": tcp_sockets(os.getpid()),
    "connected": [alias for alias in connections if connections[alias].connection is not None],
    "urls": "discussions.views" in sys.modules,
}))
"""

PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": "x7!kq" * 12, "ALLOWED_HOSTS": "127.0.0.1"}


@pytest.mark.parametrize("env", [{}, PRODUCTION], ids=["development", "production"])
def test_loading_the_application_opens_no_connection_and_loads_the_urls(env):
    seen = json.loads(run_python(LOAD, env=env).strip().splitlines()[-1])
    assert seen == {"tcp": 0, "connected": [], "urls": True}


def test_gunicorn_preloads_and_its_master_keeps_only_the_listening_socket(community):
    port = free_port()
    process = subprocess.Popen(
        [*gunicorn_command(port), "-w", "2"],
        cwd=ROOT,
        env=child_env(DEBUG="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, timeout=40)
        for path in ("/", "/c/", f"/c/{community.slug}/", "/healthz"):
            urllib.request.urlopen(f"{base}{path}", timeout=30).read()
        # The master has loaded the application (psycopg's library is mapped) ...
        assert "psycopg" in Path(f"/proc/{process.pid}/maps").read_text()
        # ... and, after its workers have served pages from the database and Redis, holds no
        # connection of its own: only the socket it listens on.
        assert tcp_sockets(process.pid) == 1
    finally:
        process.terminate()
        process.wait(timeout=20)
