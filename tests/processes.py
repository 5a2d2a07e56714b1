"""Child processes for tests (web servers, workers) that run on this test process's database and Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    db = settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**overrides):
    """This process's environment for a child on the test database and Redis (``overrides`` win)."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTEST_XDIST_WORKER", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"DATABASE_URL": database_url(), "REDIS_URL": settings.REDIS_URL, **overrides})
    return env


def run_python(code, *args, timeout=120, env=None):
    """Run ``python -c code *args`` in the project's folder on this test process's database and
    Redis (``env`` overrides); its standard output. A failure raises with what it printed."""
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=child_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )
    return done.stdout


def tcp_sockets(pid):
    """How many TCP sockets (IPv4 or IPv6, listening or connected) process ``pid`` has open."""
    tcp = set()
    for name in ("tcp", "tcp6"):
        tcp.update(line.split()[9] for line in Path(f"/proc/net/{name}").read_text().splitlines()[1:])
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:  # closed meanwhile (the directory listing's own)
            continue
        if link.startswith("socket:["):
            inodes.add(link.removeprefix("socket:[").removesuffix("]"))
    return len(inodes & tcp)


def gunicorn_command(port):
    """One WSGI worker on ``port``, as in production."""
    return [sys.executable, "-m", "gunicorn", "cop_site.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "1"]


def wait_until_serving(*bases, timeout=40):
    """Wait until each base URL answers /healthz; the last error is raised after ``timeout`` seconds in all."""
    deadline = time.monotonic() + timeout
    for base in bases:
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
