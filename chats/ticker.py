"""Posting prompts without celery beat, for `make run` (one process, no Redis).

With Redis, celery beat runs ``chats.post_due_prompts`` every CHAT_PROMPT_TICK_SECONDS and
this stays off (CHAT_PROMPT_TICKER). Without it, the first room opened in the server
process starts a task on the server's event loop that does the same, so the prompts reach
the in-memory channel layer from the loop the sockets listen on.
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from django.conf import settings

log = logging.getLogger(__name__)
_task = None


async def _tick():
    from chats.services import post_due_prompts

    while True:
        try:
            await database_sync_to_async(post_due_prompts)()
        except Exception:  # the next tick tries again; one bad tick must not stop the chats
            log.exception("posting due chat prompts failed")
        await asyncio.sleep(settings.CHAT_PROMPT_TICK_SECONDS)


async def start_in_loop():
    global _task
    loop = asyncio.get_running_loop()
    if not settings.CHAT_PROMPT_TICKER:
        return
    if _task is not None and not _task.done() and _task.get_loop() is loop:
        return
    _task = loop.create_task(_tick())


def ensure_started():
    """From a sync view served by an ASGI server: start the ticker on the server's loop."""
    if settings.CHAT_PROMPT_TICKER:
        async_to_sync(start_in_loop)()
