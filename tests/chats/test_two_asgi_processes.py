"""Several ASGI processes share one room through Redis: posted on one, delivered by the other."""

import asyncio
import functools
import json

import pytest
import websockets

from tests.chats.factories import add_prompt, live_chat
from tests.chats.servers import asgi_servers
from tests.chats.sockets import run, session_cookie, socket_path
from tests.factories import MembershipFactory


async def _until(socket, kind, timeout=5):
    async with asyncio.timeout(timeout):
        while True:
            event = json.loads(await socket.recv())
            if event["type"] == kind:
                return event


@pytest.mark.django_db(transaction=True)
def test_a_message_posted_through_one_process_reaches_a_client_of_the_other(community):
    chat = live_chat(community=community)
    add_prompt(chat, 1, "Across machines?", posted=True)
    poster, reader = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    cookies = {user: f"sessionid={session_cookie(user)}" for user in (poster, reader)}

    async def scenario(first, second):
        def ws(base, user):
            return websockets.connect(
                base.replace("http", "ws") + socket_path(chat),
                additional_headers={"Cookie": cookies[user], "Origin": base},
            )

        async with ws(first, poster) as a, ws(second, reader) as b:
            await a.send(json.dumps({"action": "ping", "ref": "up"}))
            await _until(a, "pong")
            await b.send(json.dumps({"action": "ping", "ref": "up"}))
            await _until(b, "pong")
            await a.send(json.dumps({"action": "post", "ref": "1", "body": "Posted on the first process"}))
            ack = await _until(a, "ack")
            seen = await _until(b, "message")
            assert seen["seq"] == ack["seq"]
            assert "Posted on the first process" in seen["html"]

    with asgi_servers(2) as (first, second):
        assert first != second
        run(functools.partial(scenario, first, second))
