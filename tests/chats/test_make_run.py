"""`make run`: no Redis, one process. runserver is daphne's (pages and sockets), the in-memory
channel layer carries the room, and a ticker on the server's loop posts the prompts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chats import ticker
from tests.chats.factories import add_prompt, live_chat
from tests.chats.sockets import communicator, next_of, run, session_cookie, socket_path
from tests.factories import MembershipFactory

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import get_commands
print(json.dumps({
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "ticker": settings.CHAT_PROMPT_TICKER,
    "runserver": get_commands()["runserver"],
    "beat": "chats-post-due-prompts" in settings.CELERY_BEAT_SCHEDULE,
}))
"""


def test_without_redis_runserver_serves_sockets_on_the_in_memory_layer():
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL", "PYTEST_XDIST_WORKER"}}
    env["DJANGO_SETTINGS_MODULE"] = "cop_site.settings"
    command = [sys.executable, "-c", PROBE]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {
        "layer": "channels.layers.InMemoryChannelLayer",
        "ticker": True,
        "runserver": "daphne",
        "beat": True,
    }


@pytest.mark.django_db(transaction=True)
def test_the_ticker_posts_prompts_into_open_rooms_without_celery(community, settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.CHAT_PROMPT_TICKER = True
    settings.CHAT_PROMPT_TICK_SECONDS = 0.2
    chat = live_chat(community=community, minutes_ago=1)
    add_prompt(chat, 1, "Posted by the ticker?")
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        event = await next_of(comm, "message", timeout=20)
        assert "Posted by the ticker?" in event["html"]
        await comm.disconnect()
        ticker._task.cancel()

    try:
        run(scenario)
    finally:
        ticker._task = None
