"""Chats factories: a chat on an "online chat" activity, its prompts and messages."""

from datetime import UTC, datetime, timedelta

import factory

from chats.models import Chat, Message, Prompt
from core.text import render_markdown
from tests.calendar_app.factories import ActivityFactory


def now():
    return datetime.now(UTC).replace(microsecond=0)


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat
        skip_postgeneration_save = True

    activity = factory.SubFactory(ActivityFactory)
    community = factory.LazyAttribute(lambda o: o.activity.community)
    topic = "Feedback that moves learning"


def live_chat(*, community, host=None, minutes_ago=5, length=60, **extra):
    """A chat that started ``minutes_ago`` and runs ``length`` minutes."""
    start = now() - timedelta(minutes=minutes_ago)
    activity = ActivityFactory(
        community=community, start=start, end=start + timedelta(minutes=length), organizer=host, title="Edchat"
    )
    return ChatFactory(activity=activity, host=host, **extra)


def upcoming_chat(*, community, host=None, **extra):
    start = now() + timedelta(days=1)
    activity = ActivityFactory(community=community, start=start, end=start + timedelta(hours=1), organizer=host)
    return ChatFactory(activity=activity, host=host, **extra)


def ended_chat(*, community, host=None, **extra):
    start = now() - timedelta(hours=2)
    activity = ActivityFactory(community=community, start=start, end=start + timedelta(hours=1), organizer=host)
    return ChatFactory(activity=activity, host=host, **extra)


def add_prompt(chat, number, body=None, *, offset=None, posted=False):
    body = body or f"Question {number}?"
    prompt = Prompt.objects.create(
        chat=chat,
        number=number,
        body=body,
        body_html=render_markdown(body),
        offset=offset if offset is not None else timedelta(minutes=10 * (number - 1)),
        posted_at=now() if posted else None,
    )
    if posted:
        add_message(chat, kind=Message.Kind.PROMPT, prompt=prompt, body=body)
    return prompt


def add_message(chat, *, kind=Message.Kind.ANSWER, author=None, prompt=None, parent=None, body="An answer", **extra):
    chat.refresh_from_db(fields=["last_seq"])
    chat.last_seq += 1
    chat.save(update_fields=["last_seq"])
    return Message.objects.create(
        chat=chat,
        seq=chat.last_seq,
        kind=kind,
        author=author,
        prompt=prompt,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        **extra,
    )
