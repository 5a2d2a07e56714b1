"""The room's socket on the real Redis channel layer: who may open it, what reaches whom, in what order."""

import threading

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection, connections

from chats import services
from chats.models import Message
from communities.models import Membership
from communities.permissions import access_for
from tests.chats.factories import add_prompt, live_chat
from tests.chats.sockets import communicator, next_of, nothing_but_presence, run, session_cookie, socket_path
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_tests_use_the_redis_channel_layer():
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"


def _post(user, chat, body, **kwargs):
    return services.post_message(access=access_for(user, chat.community), chat=chat, body=body, **kwargs)


def test_an_answer_posted_reaches_every_socket_in_the_room(chat, community):
    first, second = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    a = communicator(socket_path(chat), session_cookie(first))
    b = communicator(socket_path(chat), session_cookie(second))

    async def scenario():
        assert (await a.connect())[0]
        assert (await b.connect())[0]
        await a.send_json_to({"action": "post", "chat": chat.pk, "ref": "r1", "body": "Exit tickets, *daily*."})
        # The poster may see its message before its acknowledgement: both come.
        first_two = {}
        while len(first_two) < 2:
            event = await a.receive_json_from(timeout=3)
            if event["type"] in ("ack", "message"):
                first_two[event["type"]] = event
        ack = first_two["ack"]
        for comm in (a, b):
            event = first_two["message"] if comm is a else await next_of(comm, "message")
            assert event["seq"] == ack["seq"]
            assert "Exit tickets, <em>daily</em>." in event["html"]
            assert ">A1<" in event["html"]
        await a.disconnect()
        await b.disconnect()

    run(scenario)
    assert Message.objects.get(chat=chat, kind="answer").author == first


def test_a_non_member_cannot_open_the_socket_of_a_members_only_room(private_community):
    chat = live_chat(community=private_community)
    add_prompt(chat, 1, "Members only question", posted=True)
    outsider = UserFactory()
    for cookie, code in ((session_cookie(outsider), 4403), (None, 4401)):
        comm = communicator(socket_path(chat), cookie)

        async def scenario(comm=comm, code=code):
            connected, close_code = await comm.connect()
            assert not connected
            assert close_code == code

        run(scenario)


def test_a_hidden_communitys_room_does_not_exist_for_outsiders(hidden_community):
    chat = live_chat(community=hidden_community)
    comm = communicator(socket_path(chat), session_cookie(UserFactory()))

    async def scenario():
        assert await comm.connect() == (False, 4404)

    run(scenario)


def test_a_socket_from_another_site_is_refused(chat, community):
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member), origin="http://evil.example")

    async def scenario():
        connected, _ = await comm.connect()
        assert not connected

    run(scenario)


def test_visitors_read_a_public_room_live_but_cannot_post(chat, community):
    member = MembershipFactory(community=community).user
    visitor = communicator(socket_path(chat))

    async def scenario():
        assert (await visitor.connect())[0]
        await visitor.send_json_to({"action": "post", "ref": "x", "body": "Hi"})
        refused = await next_of(visitor, "error")
        assert refused["status"] == 401
        await database_sync_to_async(_post)(member, chat, "Seen by visitors")
        assert "Seen by visitors" in (await next_of(visitor, "message"))["html"]
        await visitor.disconnect()

    run(scenario)


def test_a_member_removed_during_the_chat_stops_receiving(chat, community):
    stays, leaves = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    chat.community.visibility = "members"
    chat.community.save()
    watcher = communicator(socket_path(chat), session_cookie(leaves))

    async def scenario():
        assert (await watcher.connect())[0]
        await database_sync_to_async(_post)(stays, chat, "Before removal")
        assert "Before removal" in (await next_of(watcher, "message"))["html"]
        await database_sync_to_async(Membership.objects.filter(user=leaves, community=community).first().delete)()
        closed = await watcher.receive_output(timeout=3)
        while closed["type"] != "websocket.close":
            closed = await watcher.receive_output(timeout=3)
        assert closed["code"] == 4403
        await database_sync_to_async(_post)(stays, chat, "After removal")
        assert await watcher.receive_nothing(timeout=0.5)

    run(scenario)


def test_a_removal_without_a_signal_is_caught_by_the_periodic_check(chat, community, settings):
    settings.CHAT_RECHECK_SECONDS = 0.3
    chat.community.visibility = "members"
    chat.community.save()
    leaves = MembershipFactory(community=community).user
    watcher = communicator(socket_path(chat), session_cookie(leaves))

    async def scenario():
        assert (await watcher.connect())[0]
        # A queryset delete sends no post_delete signal for each row; the socket asks again itself.
        await database_sync_to_async(lambda: Membership.objects.filter(user=leaves)._raw_delete("default"))()
        closed = await watcher.receive_output(timeout=3)
        while closed["type"] != "websocket.close":
            closed = await watcher.receive_output(timeout=3)
        assert closed["code"] == 4403

    run(scenario)


def test_hiding_a_message_removes_it_for_everyone_live(chat, community, host):
    author, reader = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    message = _post(author, chat, "Something rude")
    comm = communicator(socket_path(chat), session_cookie(reader))

    async def scenario():
        assert (await comm.connect())[0]
        await database_sync_to_async(services.hide_message)(
            access=access_for(host, community), chat=chat, message_id=message.pk
        )
        hidden = await next_of(comm, "hidden")
        assert hidden["ids"] == [message.pk]
        await comm.send_json_to({"action": "resume", "after": 0})
        while (event := await comm.receive_json_from(timeout=3))["type"] != "resumed":
            assert "Something rude" not in event.get("html", "")

    run(scenario)


def test_a_forged_socket_message_for_another_room_is_refused(chat, community):
    other = live_chat(community=community)
    add_prompt(other, 1, "Elsewhere", posted=True)
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        await comm.send_json_to({"action": "post", "chat": other.pk, "ref": "f", "body": "Sneaky"})
        refused = await next_of(comm, "error")
        assert refused["ref"] == "f"
        assert refused["status"] == 403
        await comm.send_json_to({"action": "helpful", "message": "not-a-number", "ref": "g"})
        assert (await next_of(comm, "error"))["status"] == 400
        await comm.send_json_to(["not", "an", "object"])
        assert (await next_of(comm, "error"))["message"]

    run(scenario)
    assert not Message.objects.filter(body="Sneaky").exists()


def test_a_reply_naming_another_rooms_message_is_refused(chat, community):
    other = live_chat(community=community)
    foreign = add_prompt(other, 1, "Elsewhere", posted=True).messages.get()
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        await comm.send_json_to({"action": "post", "ref": "p", "body": "Reply", "parent": foreign.pk})
        assert (await next_of(comm, "error"))["status"] == 400

    run(scenario)


def test_concurrent_posts_get_one_order_that_every_socket_sees(chat, community):
    posters = [MembershipFactory(community=community).user for _ in range(6)]
    reader = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(reader))
    start = chat.last_seq

    def post_three(user):
        try:
            for n in range(3):
                _post(user, chat, f"{user.username} says {n}")
        finally:
            connection.close()

    async def scenario():
        assert (await comm.connect())[0]

        def post_all():
            threads = [threading.Thread(target=post_three, args=(user,)) for user in posters]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            connections.close_all()

        await database_sync_to_async(post_all, thread_sensitive=False)()
        return [(await next_of(comm, "message", timeout=5))["seq"] for _ in range(18)]

    seen = run(scenario)
    stored = list(Message.objects.filter(chat=chat, seq__gt=start).order_by("seq").values_list("seq", flat=True))
    assert stored == list(range(start + 1, start + 19)), "every post got its own number, none skipped"
    assert sorted(seen) == stored, "the reader got every one of them"
    # Each poster's own messages keep the order they were sent in.
    for user in posters:
        mine = list(Message.objects.filter(author=user).order_by("seq").values_list("body", flat=True))
        assert mine == [f"{user.username} says {n}" for n in range(3)]


def test_a_socket_that_reconnects_catches_up_from_its_last_number(chat, community):
    member = MembershipFactory(community=community).user
    seen = chat.last_seq
    _post(member, chat, "Missed one")
    _post(member, chat, "Missed two")
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        await comm.send_json_to({"action": "resume", "after": seen})
        first = await next_of(comm, "message")
        second = await next_of(comm, "message")
        assert "Missed one" in first["html"]
        assert "Missed two" in second["html"]
        assert (await next_of(comm, "resumed"))["after"] == seen

    run(scenario)


def test_presence_lists_who_is_here(chat, community):
    member = MembershipFactory(community=community, user=UserFactory(display_name="Present Pat")).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        presence = await next_of(comm, "presence", timeout=4)
        assert "Present Pat" in presence["html"]
        await comm.disconnect()

    run(scenario)
    participant = chat.participants.get(user=member)
    assert participant.sockets == 0


def test_posting_over_the_socket_is_rate_limited(chat, community, settings):
    settings.CHAT_RATE_LIMIT = "2/m"
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        for n in range(2):
            await comm.send_json_to({"action": "post", "ref": str(n), "body": f"Answer {n}"})
            await next_of(comm, "ack")
        await comm.send_json_to({"action": "post", "ref": "flood", "body": "One too many"})
        refused = await next_of(comm, "error")
        assert refused["status"] == 429
        assert "wait" in refused["message"]

    run(scenario)
    assert not Message.objects.filter(body="One too many").exists()


def test_nothing_from_the_room_reaches_a_socket_of_another_room(chat, community):
    other = live_chat(community=community)
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(other), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        await database_sync_to_async(_post)(member, chat, "Only for the first room")
        assert await nothing_but_presence(comm)

    run(scenario)


def test_text_that_is_not_json_is_refused_and_the_socket_stays_open(chat, community):
    member = MembershipFactory(community=community).user
    comm = communicator(socket_path(chat), session_cookie(member))

    async def scenario():
        assert (await comm.connect())[0]
        await comm.send_to(text_data="not json at all")
        assert (await next_of(comm, "error"))["message"] == "Send a JSON object."
        await comm.send_json_to({"action": "ping", "ref": "still"})
        assert (await next_of(comm, "pong"))["ref"] == "still"

    run(scenario)
