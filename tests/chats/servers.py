"""Real ASGI server processes (uvicorn, as in the Procfile) on the test database and Redis."""

import os
import subprocess
import sys
from contextlib import contextmanager

from tests.processes import ROOT, child_env, free_port, wait_until_serving


@contextmanager
def asgi_servers(count=1, **extra_env):
    """``count`` uvicorn processes; yields their base URLs."""
    env = child_env(DEBUG="false", **extra_env)
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "cop_site.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--ws-per-message-deflate",
                "false",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=None if os.environ.get("CHATS_SERVER_LOGS") else subprocess.DEVNULL,
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        wait_until_serving(*bases, timeout=40)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
