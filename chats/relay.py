"""Hands a room's events to the room's sockets in this process, through one listener.

Channels would give every socket of a room its own subscription: each event then passes,
once per socket, through a queue, a task switch, a deserialization and the consumer's
dispatch before it is written out. In a room of 200 at 10 answers a second that is 2,000
trips a second through that machinery, most of a process's CPU on a busy machine. Here the
process joins the room's group once (on the same channel layer) and writes each event
straight to the sockets it has in the room, in the order the layer delivered them.
"""

import asyncio

from channels.layers import get_channel_layer

from chats.live import room_group

# event loop -> {chat id: _Room}; one loop per server process (tests run several in turn).
_rooms = {}


class _Room:
    def __init__(self):
        self.sockets = set()
        self.channel = None
        self.task = None
        self.ready = asyncio.Event()


async def join(chat_id, consumer):
    """From now on ``consumer`` gets the room's events (returns once the room is subscribed)."""
    rooms = _rooms.setdefault(asyncio.get_running_loop(), {})
    room = rooms.get(chat_id)
    if room is None:
        room = rooms[chat_id] = _Room()
        layer = get_channel_layer()
        room.channel = await layer.new_channel("chat-relay.")
        await layer.group_add(room_group(chat_id), room.channel)
        room.task = asyncio.create_task(_relay(room, layer))
        room.ready.set()
    room.sockets.add(consumer)
    await room.ready.wait()


async def leave(chat_id, consumer):
    """``consumer`` gets nothing more from the room; the last one out unsubscribes the process."""
    loop = asyncio.get_running_loop()
    rooms = _rooms.get(loop, {})
    room = rooms.get(chat_id)
    if room is None:
        return
    room.sockets.discard(consumer)
    if room.sockets:
        return
    del rooms[chat_id]
    if not rooms:
        _rooms.pop(loop, None)
    if room.task is not None:
        room.task.cancel()
    if room.channel is not None:
        await get_channel_layer().group_discard(room_group(chat_id), room.channel)


async def _relay(room, layer):
    while True:
        event = await layer.receive(room.channel)
        frame = {"type": "websocket.send", "text": event["text"]}
        for consumer in list(room.sockets):
            try:
                await consumer.base_send(frame)
            except (OSError, RuntimeError):
                room.sockets.discard(consumer)  # its connection is gone; its disconnect cleans up
