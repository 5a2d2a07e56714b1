"""People's faces in the chat room: on the page, in the archive, and in the HTML the sockets push."""

import pytest
from django.urls import reverse

from accounts import avatars
from chats.models import Participant
from tests.chats.factories import add_message, ended_chat
from tests.chats.sockets import communicator, next_of, run, session_cookie, socket_path
from tests.factories import MembershipFactory, UserFactory

PICTURE_KEY = "c" * 32


def url(chat, name="room"):
    return reverse(f"chats:{name}", kwargs={"slug": chat.community.slug, "pk": chat.activity_id})


def initials_of(user):
    colour, letters = avatars.colour_class(user.username), avatars.initials(user.name)
    return f'class="avatar avatar-sm {colour}" aria-hidden="true" data-initials="{letters}"'


@pytest.mark.django_db
def test_the_room_shows_each_answers_author_with_their_picture_or_initials(client, chat, community, member):
    pictured = MembershipFactory(
        community=community, user=UserFactory(display_name="Wei Chen", avatar=f"avatars/{PICTURE_KEY}.webp")
    ).user
    plain = MembershipFactory(community=community, user=UserFactory(display_name="Ana Rivera")).user
    add_message(chat, author=pictured, prompt=chat.prompts.get(number=1), body="Exit tickets")
    add_message(chat, author=plain, prompt=chat.prompts.get(number=1), body="Sticky notes")
    client.force_login(member)
    page = client.get(url(chat)).content.decode()
    assert f'src="/media/avatars/{PICTURE_KEY}.webp" alt=""' in page
    assert initials_of(plain) in page


@pytest.mark.django_db
def test_the_archive_shows_the_authors_and_who_took_part_with_avatars(client, community, member):
    chat = ended_chat(community=community)
    author = MembershipFactory(community=community, user=UserFactory(display_name="Ana Rivera")).user
    add_message(chat, author=author, body="Before the first prompt")
    Participant.objects.create(chat=chat, user=author, messages=1)
    client.force_login(member)
    page = client.get(url(chat)).content.decode()
    assert initials_of(author) in page
    assert page.count(f'data-initials="{avatars.initials(author.name)}"') >= 2  # the answer and "Who took part"


@pytest.mark.django_db(transaction=True)
def test_a_message_pushed_over_the_socket_carries_its_authors_avatar(chat, community):
    poster = MembershipFactory(community=community, user=UserFactory(display_name="Ana Rivera")).user
    watcher = MembershipFactory(community=community).user
    a = communicator(socket_path(chat), session_cookie(poster))
    b = communicator(socket_path(chat), session_cookie(watcher))

    async def scenario():
        assert (await a.connect())[0]
        assert (await b.connect())[0]
        presence = await next_of(b, "presence", timeout=4)
        assert "data-initials=" in presence["html"]
        await a.send_json_to({"action": "post", "chat": chat.pk, "ref": "r1", "body": "Exit tickets"})
        event = await next_of(b, "message")
        assert "Exit tickets" in event["html"]
        assert initials_of(poster) in event["html"]
        await a.disconnect()
        await b.disconnect()

    run(scenario)
