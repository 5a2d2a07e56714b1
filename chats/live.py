"""What travels over the chat sockets: group names, the events and the HTML they carry.

Services call these after their transaction commits; every ASGI process with a socket in
the room gets the event through the channel layer (Redis) and hands it to its clients. A
fragment is rendered once, with every control in it; the room's CSS shows members' and
hosts' controls only to them, and every action is checked again on the server.
"""

import asyncio
import json
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
_sending = set()  # tasks handed to a running loop, kept until they finish


def room_group(chat_id):
    return f"chat.{chat_id}"


def user_group(user_id):
    return f"chat-user.{user_id}"


def community_group(community_id):
    return f"chat-community.{community_id}"


def send(group, payload, *, event_type="room.event"):
    """Publish to ``group``. Never fails the write that caused it: a room that missed an event
    catches up from the database when its sockets reconnect."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": event_type, "text": json.dumps(payload)}
    try:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(layer.group_send)(group, message)
        else:
            # Sync code on a thread that runs an event loop (a script driving a browser):
            # async_to_sync may not be used there, the loop sends it.
            task = loop.create_task(layer.group_send(group, message))
            _sending.add(task)
            task.add_done_callback(_sending.discard)
    except Exception:
        log.exception("could not send a chat event to %s", group)


def send_on_commit(group, make_payload, *, event_type="room.event"):
    """Send ``make_payload()`` to ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send(group, make_payload(), event_type=event_type))


def message_html(message, *, live=True, viewer_tools=None):
    return render_to_string(
        "chats/includes/message.html",
        {"message": message, "chat": message.chat, "live": live, "tools": viewer_tools},
    )


def message_payload(message):
    return {"type": "message", "seq": message.seq, "id": message.pk, "html": message_html(message)}


def announce_message(message):
    send_on_commit(room_group(message.chat_id), lambda: message_payload(message))


def announce(chat_id, payload):
    send_on_commit(room_group(chat_id), lambda: payload)


def ask_to_recheck(*, user_id=None, community_id=None):
    """Sockets of this person (or of this community's rooms) check again whether they may stay."""
    group = user_group(user_id) if user_id is not None else community_group(community_id)
    transaction.on_commit(lambda: send(group, {}, event_type="access.recheck"))


def presence_payload(chat):
    from chats.selectors import present_people

    people = present_people(chat=chat)
    html = render_to_string("chats/includes/presence.html", {"people": people, "chat": chat})
    return {"type": "presence", "count": len(people), "html": html}


def announce_presence(chat_id):
    from chats.models import Chat

    chat = Chat.objects.filter(pk=chat_id).first()
    if chat is not None:
        send(room_group(chat_id), presence_payload(chat))
