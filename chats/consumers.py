"""The chat room's socket: ``/ws/c/<slug>/calendar/<id>/chat/``.

Authenticated by the session cookie (channels' AuthMiddlewareStack). Refused before the
handshake completes when the person may not read the room (close codes in
``selectors.socket_access``). While open it re-checks now and then, and whenever that
person's membership or the community changes, and closes with 4403 once they may not.
It receives the room's events from the channel layer and takes the room's actions as JSON:

- ``{"action": "resume", "after": <seq>}``: everything after message ``seq``
- ``{"action": "post", "body": ..., "prompt": <n>?, "parent": <id>?, "ref": ...}``
- ``{"action": "helpful", "message": <id>}``
- ``{"action": "ping"}``

A message naming another room (``"chat": <id>`` that is not this socket's) is refused.
"""

import asyncio
import random

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from chats import live, relay, selectors, services, ticker
from chats.models import Chat
from communities.permissions import access_for
from core.ratelimit import RateLimited
from core.refusals import message_for, status_for

RESUME_LIMIT = 1000


def in_db_thread(function):
    """Run ``function`` in a thread of the pool, each with its own database connection.

    Channels' default runs every database call of the process in one thread, so one room's
    posts, arrivals and heartbeats would queue behind each other; the room's order comes
    from the row lock on the chat, not from the thread.
    """
    return database_sync_to_async(function, thread_sensitive=False)


# One presence update per room per process and second, however many people come and go.
_presence_pending = {}


def _error(exc):
    return message_for(exc), status_for(exc)


class RoomConsumer(AsyncJsonWebsocketConsumer):
    chat_id = None
    groups_joined = ()
    checker = None
    present = False
    in_room = False

    async def connect(self):
        kwargs = self.scope["url_route"]["kwargs"]
        user = self.scope.get("user")
        chat, access = await in_db_thread(selectors.socket_access)(
            user=user, slug=kwargs["slug"], activity_pk=kwargs["pk"]
        )
        if chat is None:
            await self.close(code=access)
            return
        self.chat_id, self.community_id, self.community = chat.pk, chat.community_id, chat.community
        self.user = user if access.is_authenticated else None
        # The room's own events come through the process's relay (chats/relay.py); these
        # groups carry what concerns this socket alone: its person, its community.
        groups = [live.community_group(chat.community_id)]
        if self.user is not None:
            groups.append(live.user_group(self.user.pk))
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await relay.join(chat.pk, self)
        self.in_room = True
        await self.accept()
        if self.user is not None:
            self.present = await in_db_thread(services.joined)(chat_id=chat.pk, user=self.user)
            if self.present:
                self._presence_changed()
        self.checker = asyncio.create_task(self._keep_checking())
        await ticker.start_in_loop()

    async def disconnect(self, code):
        await self._leave()

    async def _leave(self):
        if self.checker is not None and self.checker is not asyncio.current_task():
            self.checker.cancel()
        if self.in_room:
            self.in_room = False
            await relay.leave(self.chat_id, self)
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = ()
        if self.present:
            self.present = False
            await in_db_thread(services.left)(chat_id=self.chat_id, user=self.user)
            self._presence_changed()

    # -- from the client ---------------------------------------------------------------

    @classmethod
    async def decode_json(cls, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None  # answered as a refusal below, instead of dropping the socket

    async def receive_json(self, content, **kwargs):
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "message": "Send a JSON object."})
            return
        ref = content.get("ref")
        if "chat" in content and content["chat"] != self.chat_id:
            await self.send_json(
                {"type": "error", "ref": ref, "status": 403, "message": "That message was for another room."}
            )
            return
        action = content.get("action")
        if action == "resume":
            await self._resume(content.get("after"))
        elif action == "post":
            await self._act(ref, self._post, content)
        elif action == "helpful":
            await self._act(ref, self._helpful, content)
        elif action == "ping":
            if self.present:
                await in_db_thread(services.still_here)(chat_id=self.chat_id, user=self.user)
            await self.send_json({"type": "pong", "ref": ref})
        else:
            await self.send_json({"type": "error", "ref": ref, "status": 400, "message": "Unknown action."})

    async def _resume(self, after):
        try:
            after = max(0, int(after or 0))
        except (TypeError, ValueError):
            after = 0
        payloads = await in_db_thread(self._messages_after)(after)
        for payload in payloads:
            await self.send_json(payload)
        await self.send_json({"type": "resumed", "after": after})

    def _messages_after(self, after):
        chat = Chat.objects.select_related("activity", "community").get(pk=self.chat_id)
        return [live.message_payload(m) for m in selectors.messages_after(chat=chat, seq=after, limit=RESUME_LIMIT)]

    async def _act(self, ref, action, content):
        if self.user is None:
            await self.send_json({"type": "error", "ref": ref, "status": 401, "message": "Log in to take part."})
            return
        try:
            reply = await in_db_thread(action)(content)
        except (ValidationError, PermissionDenied, RateLimited, services.ChatClosed) as exc:
            message, status = _error(exc)
            await self.send_json({"type": "error", "ref": ref, "status": status, "message": message})
            return
        await self.send_json({"type": "ack", "ref": ref, **reply})

    def _access_and_chat(self):
        """The person's access now (one query: their membership) and the room, which services lock and load."""
        return access_for(self.user, self.community), Chat(pk=self.chat_id, community_id=self.community_id)

    def _post(self, content):
        access, chat = self._access_and_chat()
        body = content.get("body")
        message = services.post_message(
            access=access,
            chat=chat,
            body=body if isinstance(body, str) else "",
            prompt_number=content.get("prompt") or None,
            parent_id=content.get("parent") or None,
        )
        return {"seq": message.seq, "id": message.pk}

    def _helpful(self, content):
        access, chat = self._access_and_chat()
        message, marked = services.toggle_helpful(access=access, chat=chat, message_id=content.get("message"))
        return {"id": message.pk, "marked": marked, "count": message.helpful_count}

    # -- from the channel layer ----------------------------------------------------------

    async def access_recheck(self, event):
        await self._recheck()

    async def _recheck(self):
        allowed = await in_db_thread(selectors.still_allowed)(user=self.user, community_id=self.community_id)
        if not allowed:
            # Out of the groups first: nothing more reaches this socket, even before the client hangs up.
            await self._leave()
            await self.close(code=4403)
        return allowed

    async def _keep_checking(self):
        while True:
            # Spread out: sockets that opened together must not all ask the database at once.
            await asyncio.sleep(settings.CHAT_RECHECK_SECONDS * random.uniform(0.5, 1.5))
            if not await self._recheck():
                return
            if self.present:
                await in_db_thread(services.still_here)(chat_id=self.chat_id, user=self.user)

    # -- presence ---------------------------------------------------------------------------

    def _presence_changed(self):
        if self.chat_id in _presence_pending:
            return
        loop = asyncio.get_running_loop()
        _presence_pending[self.chat_id] = loop.call_later(1.0, self._send_presence, self.chat_id)

    @staticmethod
    def _send_presence(chat_id):
        _presence_pending.pop(chat_id, None)
        asyncio.get_running_loop().create_task(in_db_thread(live.announce_presence)(chat_id))
