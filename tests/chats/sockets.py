"""Helpers for driving the room's socket with channels' WebsocketCommunicator against the real
ASGI application and the Redis channel layer the settings name."""

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connections
from django.test import Client

from cop_site.asgi import application


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket_path(chat):
    return f"/ws/c/{chat.community.slug}/calendar/{chat.activity_id}/chat/"


def communicator(path, cookie=None, origin="http://testserver"):
    """Call from sync code (session_cookie needs the ORM); connect from async code."""
    headers = [(b"host", b"testserver")]
    if origin:
        headers.append((b"origin", origin.encode()))
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, path, headers=headers)


async def next_of(comm, kind, timeout=3.0):
    """The next event of ``kind``, skipping others (presence updates arrive whenever people come and go)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            raise AssertionError(f"no {kind!r} event within {timeout}s")
        event = await comm.receive_json_from(timeout=left)
        if event.get("type") == kind:
            return event


async def nothing_but_presence(comm, timeout=0.6):
    """True when nothing but presence updates arrives within ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        left = deadline - loop.time()
        if left <= 0:
            return True
        if await comm.receive_nothing(timeout=min(left, 0.1)):
            continue
        output = await comm.receive_output(timeout=1)
        if output.get("type") == "websocket.send" and '"presence"' in (output.get("text") or ""):
            continue
        return False


def run(scenario):
    """Run the async ``scenario`` to its end from a test, on a thread of its own.

    The thread has no event loop of its own (a browser test's Playwright loop may be running
    in the test's thread), and its database connection is closed after.
    """

    def in_thread():
        try:
            return async_to_sync(scenario)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(in_thread).result()
    # The server's pool threads are gone with the scenario's loop; collecting them closes
    # their database connections now rather than whenever the collector next runs.
    gc.collect()
    return result
