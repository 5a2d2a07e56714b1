"""Every write of the chats app. Keyword-only, one transaction, permission checked inside.

Services refuse as core.refusals says: ``PermissionDenied`` (403), ``ValidationError`` (400),
``ChatClosed`` (a ValidationError with code ``conflict``, 409: the room does not take that
now) and ``core.ratelimit.RateLimited`` (429). What changed is sent to the room's sockets
after the transaction commits (``chats.live``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import User
from calendar_app.models import Activity
from chats import live
from chats.models import DEFAULT_INTERVAL, Chat, HelpfulMark, Message, Participant, Prompt
from chats.permissions import may_host
from communities.models import Community, Membership
from communities.permissions import Access
from core.ratelimit import hit
from core.refusals import CONFLICT
from core.text import render_markdown
from discussions.models import Thread
from discussions.services import create_thread

MAX_PROMPTS = 30
PROMPT_MAX = 1000
SUMMARY_ANSWERS = 3
SUMMARY_ANSWER_CHARS = 280


class ChatClosed(ValidationError):
    """The room does not take that now (not open yet, paused, ended, already done): 409."""

    def __init__(self, message: str) -> None:
        super().__init__(message, code=CONFLICT)


def _require_host(access: Access, chat: Chat | None = None, activity: Activity | None = None) -> None:
    if not may_host(access, chat=chat, activity=activity):
        raise PermissionDenied("Only the chat's hosts can do that.")


def _same_community(access: Access, obj: Any) -> None:
    if obj.community_id != access.community.pk:
        raise PermissionDenied("That does not belong to this community.")


# -- preparing ---------------------------------------------------------------------------

_OFFSET = re.compile(r"^\s*([+-]?\d{1,4})\s*(?:min(?:utes?)?|m)?\s*[:.)]?\s+(.*\S)\s*$")


def parse_prompts(text: str, *, interval: timedelta = DEFAULT_INTERVAL) -> list[tuple[timedelta, str]]:
    """Lines of text to ``[(offset, body)]``: one prompt per line, every ``interval`` unless a line
    starts with its own minute ("+25 What will you try?"). Raises ValidationError with the line."""
    prompts, previous = [], None
    for number, line in enumerate([ln for ln in (text or "").splitlines() if ln.strip()], start=1):
        match = _OFFSET.match(line)
        if match:
            offset, body = timedelta(minutes=int(match.group(1))), match.group(2)
        else:
            offset = timedelta(0) if previous is None else previous + interval
            body = line.strip()
        if offset < timedelta(0):
            raise ValidationError(
                f"Q{number} is set {abs(int(offset.total_seconds() // 60))} minutes before the chat starts. "
                "Prompts are posted at minute 0 or later."
            )
        if len(body) > PROMPT_MAX:
            raise ValidationError(f"Q{number} is {len(body):,} characters long; a prompt can have {PROMPT_MAX:,}.")
        prompts.append((offset, body))
        previous = offset
    if len(prompts) > MAX_PROMPTS:
        raise ValidationError(f"A chat can have at most {MAX_PROMPTS} prompts; this has {len(prompts)}.")
    return prompts


def _members_named(community: Community, usernames: Iterable[str]) -> list[User]:
    names = sorted({name.strip().lstrip("@").lower() for name in usernames if name.strip()})
    if not names:
        return []
    any_of = Q()
    for name in names:
        any_of |= Q(username__iexact=name)
    found = list(User.objects.filter(any_of, pk__in=Membership.objects.filter(community=community).values("user_id")))
    missing = set(names) - {person.username.lower() for person in found}
    if missing:
        raise ValidationError(
            "Co-hosts must be members of this community. Not found: " + ", ".join(sorted(missing)) + "."
        )
    return found


@transaction.atomic
def prepare_chat(
    *, access: Access, activity: Activity, topic, prompts_text, interval=DEFAULT_INTERVAL, cohosts=(), host=None
):
    """Create or update the chat of an "online chat" activity and its prompts not yet posted.

    Only hosts (see chats.permissions); prompts must fall between the start and the end.
    """
    _same_community(access, activity)
    chat = Chat.objects.filter(activity=activity).prefetch_related("cohosts").first()
    _require_host(access, chat=chat, activity=activity)
    if activity.kind != Activity.Kind.CHAT:
        raise ValidationError("Only an activity of the kind “Online chat” has a chat room.")
    if activity.is_recurring:
        raise ValidationError("A chat room belongs to one date: schedule each chat as its own activity.")
    now = timezone.now()
    if chat is not None and chat.state(now) == Chat.State.CLOSED:
        raise ChatClosed("This chat has ended; its prompts can no longer change.")
    planned = parse_prompts(prompts_text, interval=interval)
    if not planned:
        raise ValidationError("Write at least one prompt, one per line.")
    length = activity.end - activity.start
    for number, (offset, _body) in enumerate(planned, start=1):
        if offset >= length:
            raise ValidationError(
                f"Q{number} is set at minute {int(offset.total_seconds() // 60)}, "
                f"but the chat ends after {int(length.total_seconds() // 60)} minutes."
            )
    people = _members_named(access.community, cohosts)
    topic = (topic or "").strip()[:200]
    if chat is None:
        chat = Chat.objects.create(
            activity=activity, community=activity.community, topic=topic, host=host or access.user
        )
    else:
        chat.topic = topic
        chat.save(update_fields=["topic"])
    chat.cohosts.set(people)
    posted = list(chat.prompts.filter(posted_at__isnull=False).order_by("number"))
    chat.prompts.filter(posted_at__isnull=True).delete()
    first_number = posted[-1].number + 1 if posted else 1
    # Prompts already posted stay; the plan's prompts after them are the ones still to come.
    latest = max((p.offset for p in posted), default=None)
    still_to_come = [(o, b) for o, b in planned if latest is None or o > latest] if posted else planned
    Prompt.objects.bulk_create(
        Prompt(chat=chat, number=first_number + i, body=body, body_html=render_markdown(body), offset=offset)
        for i, (offset, body) in enumerate(still_to_come)
    )
    return chat


def plan_text(chat: Chat) -> str:
    """The prompts still to come, written the way the form takes them."""
    return "\n".join(
        f"+{int(p.offset.total_seconds() // 60)} {p.body}" for p in chat.prompts.filter(posted_at__isnull=True)
    )


# -- the room's stream -------------------------------------------------------------------


def _append(chat: Chat, **fields: Any) -> Message:
    """Add a message with the chat's next number; ``chat`` must be locked (select_for_update)."""
    chat.last_seq += 1
    Chat.objects.filter(pk=chat.pk).update(last_seq=chat.last_seq)
    message = Message.objects.create(chat=chat, seq=chat.last_seq, **fields)
    message.chat = chat
    live.announce_message(message)
    return message


def _locked(chat: Chat) -> Chat:
    return Chat.objects.select_for_update().select_related("activity", "community").get(pk=chat.pk)


def _post_prompt(chat: Chat, prompt: Prompt, now: datetime) -> None:
    prompt.posted_at = now
    prompt.save(update_fields=["posted_at"])
    _append(chat, kind=Message.Kind.PROMPT, prompt=prompt, body=prompt.body, body_html=prompt.body_html, created_at=now)


def _due(prompts: QuerySet[Any], now: datetime) -> QuerySet[Prompt]:  # Any: the alias shadows Prompt.due_at
    return (
        prompts.filter(posted_at__isnull=True)
        .alias(due_at=F("chat__activity__start") + F("offset"))
        .filter(due_at__lte=now)
    )


def due_chat_ids(*, now: datetime) -> list[int]:
    """Live, unpaused rooms with a prompt whose time has come (a snapshot: another scheduler may
    post them first)."""
    prompts = Prompt.objects.filter(
        chat__paused_at__isnull=True,
        chat__closed_at__isnull=True,
        chat__activity__start__lte=now,
        chat__activity__end__gt=now,
    )
    return sorted(set(_due(prompts, now).values_list("chat_id", flat=True)))


def post_due_prompts_of(*, chat_id: int, now: datetime) -> int:
    """Post the room's prompts whose time has come, in their order; returns how many.

    The room's row is claimed first: a scheduler that finds it claimed leaves the room to the
    one that has it, and prompts already posted are never posted again.
    """
    with transaction.atomic():
        chat = (
            Chat.objects.select_for_update(skip_locked=True)
            .select_related("activity", "community")
            .filter(pk=chat_id)
            .first()
        )
        if chat is None or chat.state(now) != Chat.State.LIVE:
            return 0
        posted = 0
        for prompt in chat.prompts.filter(posted_at__isnull=True).order_by("number"):
            if prompt.due_at() > now:
                break  # a later prompt waits for the one before it
            _post_prompt(chat, prompt, now)
            posted += 1
        return posted


def post_due_prompts(*, now: datetime | None = None) -> int:
    """Post every prompt whose time has come; returns how many this run posted.

    Each prompt is posted once, however many schedulers and workers run this at once.
    """
    now = now or timezone.now()
    return sum(post_due_prompts_of(chat_id=pk, now=now) for pk in due_chat_ids(now=now))


@transaction.atomic
def ask_now(*, access: Access, chat: Chat, body: str) -> Prompt:
    """A host posts an unscheduled prompt at once; the planned prompts after it move down one number."""
    _same_community(access, chat)
    _require_host(access, chat=chat)
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write the prompt first.")
    if len(body) > PROMPT_MAX:
        raise ValidationError(f"A prompt can have {PROMPT_MAX:,} characters; this one has {len(body):,}.")
    now = timezone.now()
    chat = _locked(chat)
    if chat.state(now) != Chat.State.LIVE:
        raise ChatClosed(_not_open_message(chat, now))
    posted = chat.prompts.filter(posted_at__isnull=False).order_by("-number").first()
    number = posted.number + 1 if posted else 1
    for later in chat.prompts.filter(posted_at__isnull=True).order_by("-number"):
        later.number += 1
        later.save(update_fields=["number"])
    prompt = Prompt.objects.create(
        chat=chat,
        number=number,
        body=body,
        body_html=render_markdown(body),
        offset=max(timedelta(0), now - chat.opens_at),
        unscheduled=True,
    )
    _post_prompt(chat, prompt, now)
    return prompt


def _not_open_message(chat: Chat, now: datetime) -> str:
    state = chat.state(now)
    if state == Chat.State.UPCOMING:
        return "The chat has not started yet. It opens at its start time."
    if state == Chat.State.PAUSED:
        return "The hosts paused the chat for a moment. Keep your answer and send it when it resumes."
    return "This chat has ended. Its archive is open for reading."


def clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError("Write your answer first.")
    limit = settings.CHAT_MESSAGE_MAX
    if len(body) > limit:
        raise ValidationError(f"An answer can have {limit:,} characters; yours has {len(body):,}. Please shorten it.")
    return body


def _record_participant(chat: Chat, user: User, now: datetime, *, messages: int = 0) -> None:
    updated = Participant.objects.filter(chat=chat, user=user).update(
        last_seen_at=now, messages=F("messages") + messages
    )
    if not updated:
        try:
            with transaction.atomic():
                Participant.objects.create(chat=chat, user=user, first_seen_at=now, last_seen_at=now, messages=messages)
        except IntegrityError:
            Participant.objects.filter(chat=chat, user=user).update(last_seen_at=now, messages=F("messages") + messages)


def post_message(*, access: Access, chat: Chat, body: str, prompt_number: Any = None, parent_id: Any = None) -> Message:
    """A member answers a prompt (the current one unless ``prompt_number`` names an earlier one) or
    replies to a message (``parent_id``). Rate limited per person; Markdown is sanitized."""
    _same_community(access, chat)
    if not access.may_post:
        raise PermissionDenied("Only members of this community can take part. Join it first.")
    body = clean_body(body)
    now = timezone.now()
    with transaction.atomic():
        chat = _locked(chat)
        if chat.state(now) != Chat.State.LIVE:
            raise ChatClosed(_not_open_message(chat, now))
        parent = prompt = None
        if parent_id:
            parent = (
                Message.objects.filter(chat=chat, pk=_as_int(parent_id), hidden_at__isnull=True)
                .exclude(kind=Message.Kind.PROMPT)
                .select_related("author", "prompt")
                .first()
            )
            if parent is None:
                raise ValidationError("That message is no longer in this room.")
            prompt = parent.prompt
        elif prompt_number:
            prompt = chat.prompts.filter(number=_as_int(prompt_number), posted_at__isnull=False).first()
            if prompt is None:
                raise ValidationError("Pick one of the prompts posted so far.")
        else:
            prompt = chat.prompts.filter(posted_at__isnull=False).order_by("-number").first()
        hit(
            f"chat:{access.user.pk}",
            settings.CHAT_RATE_LIMIT,
            message="You are posting very quickly. Please wait {wait} seconds; your text is still here.",
        )
        message = _append(
            chat,
            kind=Message.Kind.REPLY if parent else Message.Kind.ANSWER,
            author=access.user,
            prompt=prompt,
            parent=parent,
            body=body,
            body_html=render_markdown(body),
            created_at=now,
        )
        message.author = access.user
        _record_participant(chat, access.user, now, messages=1)
    return message


def _as_int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError("That is not a message of this room.") from None


def _message_of(chat: Chat, message_id: int) -> Message:
    message = Message.objects.filter(chat=chat, pk=_as_int(message_id)).first()
    if message is None:
        raise ValidationError("That is not a message of this room.")
    return message


@transaction.atomic
def toggle_helpful(*, access: Access, chat: Chat, message_id: int) -> tuple[Message, bool]:
    """Mark an answer helpful, or take the mark back; returns (message, marked). Members only."""
    _same_community(access, chat)
    if not access.may_post:
        raise PermissionDenied("Only members of this community can mark answers helpful.")
    message = _message_of(chat, message_id)
    if message.kind == Message.Kind.PROMPT or message.is_hidden:
        raise ValidationError("Only answers and replies can be marked helpful.")
    if message.author_id == access.user.pk:
        raise ValidationError("You cannot mark your own answer helpful.")
    deleted, _ = HelpfulMark.objects.filter(message=message, user=access.user).delete()
    if not deleted:
        HelpfulMark.objects.create(message=message, user=access.user)
    Message.objects.filter(pk=message.pk).update(helpful_count=F("helpful_count") + (-1 if deleted else 1))
    message.refresh_from_db(fields=["helpful_count"])
    live.announce(chat.pk, {"type": "helpful", "id": message.pk, "count": message.helpful_count})
    return message, not deleted


@transaction.atomic
def hide_message(*, access: Access, chat: Chat, message_id: int) -> Message:
    """A host hides a message (and its replies) from the room, for everyone, live and in the archive."""
    _same_community(access, chat)
    _require_host(access, chat=chat)
    message = _message_of(chat, message_id)
    if message.kind == Message.Kind.PROMPT:
        raise ValidationError("Prompts stay; hide the answers you need to.")
    now = timezone.now()
    Message.objects.filter(chat=chat, pk=message.pk).update(hidden_at=now, hidden_by=access.user)
    hidden = [message.pk, *Message.objects.filter(parent=message).values_list("pk", flat=True)]
    Message.objects.filter(pk__in=hidden, hidden_at__isnull=True).update(hidden_at=now, hidden_by=access.user)
    if chat.pinned_id in hidden:
        Chat.objects.filter(pk=chat.pk).update(pinned=None)
        live.announce(chat.pk, {"type": "pinned", "html": ""})
    live.announce(chat.pk, {"type": "hidden", "ids": hidden})
    return message


@transaction.atomic
def pin_message(*, access: Access, chat: Chat, message_id: int | None = None) -> Message | None:
    """A host pins a message to the top of the room (``message_id`` None unpins)."""
    _same_community(access, chat)
    _require_host(access, chat=chat)
    message = None
    if message_id:
        message = _message_of(chat, message_id)
        if message.is_hidden:
            raise ValidationError("A hidden message cannot be pinned.")
    Chat.objects.filter(pk=chat.pk).update(pinned=message)
    if message is None:
        live.announce(chat.pk, {"type": "pinned", "html": ""})
    else:
        message = Message.objects.select_related("author", "prompt", "chat__activity", "chat__community").get(
            pk=message.pk
        )
        html = render_to_string("chats/includes/pinned.html", {"pinned": message, "chat": message.chat})
        live.announce(chat.pk, {"type": "pinned", "html": html})
    return message


@transaction.atomic
def set_paused(*, access: Access, chat: Chat, paused: bool) -> Chat:
    """Pause the room (no answers, no prompts) or resume it; prompts still to come move later by the pause."""
    _same_community(access, chat)
    _require_host(access, chat=chat)
    now = timezone.now()
    chat = _locked(chat)
    state = chat.state(now)
    if state not in (Chat.State.LIVE, Chat.State.PAUSED):
        raise ChatClosed(_not_open_message(chat, now))
    if paused and chat.paused_at is None:
        chat.paused_at = now
    elif not paused and chat.paused_at is not None:
        pause = now - chat.paused_at
        chat.prompts.filter(posted_at__isnull=True).update(offset=F("offset") + pause)
        chat.paused_at = None
    chat.save(update_fields=["paused_at"])
    live.announce(chat.pk, {"type": "state", "state": chat.state(now)})
    return chat


@transaction.atomic
def end_chat(*, access: Access, chat: Chat) -> Chat:
    """A host ends the chat before its planned end; the room becomes its archive."""
    _same_community(access, chat)
    _require_host(access, chat=chat)
    now = timezone.now()
    chat = _locked(chat)
    if chat.state(now) == Chat.State.CLOSED:
        raise ChatClosed("This chat has already ended.")
    if chat.state(now) == Chat.State.UPCOMING:
        raise ChatClosed("The chat has not started yet.")
    chat.closed_at = now
    chat.save(update_fields=["closed_at"])
    live.announce(chat.pk, {"type": "state", "state": Chat.State.CLOSED})
    return chat


# -- presence ------------------------------------------------------------------------------


def joined(*, chat_id: int, user: User) -> bool:
    """A socket of ``user`` opened in a live room: they count as here (and as a participant)."""
    now = timezone.now()
    chat = Chat.objects.select_related("activity").get(pk=chat_id)
    if chat.state(now) in (Chat.State.UPCOMING, Chat.State.CLOSED):
        return False
    _record_participant(chat, user, now)
    Participant.objects.filter(chat=chat, user=user).update(sockets=F("sockets") + 1)
    return True


def still_here(*, chat_id: int, user: User) -> None:
    Participant.objects.filter(chat_id=chat_id, user=user).update(last_seen_at=timezone.now())


def left(*, chat_id: int, user: User) -> None:
    Participant.objects.filter(chat_id=chat_id, user=user, sockets__gt=0).update(sockets=F("sockets") - 1)


# -- afterwards ----------------------------------------------------------------------------


def _summary(chat: Chat, groups: Iterable[Any], url: str) -> str:
    lines = [
        f"What came out of the chat “{chat.title}” on {_day(chat.opens_at)}. "
        f"[Read the whole archive]({url}), with every answer.",
        "",
    ]
    for group in groups:
        if group.prompt is None:
            continue
        lines.append(f"**{group.prompt.label}. {_one_line(group.prompt.body, 400)}**")
        lines.append("")
        for node in group.answers[:SUMMARY_ANSWERS]:
            author = node.message.author.name if node.message.author else "Someone"
            helpful = f", helpful to {node.message.helpful_count}" if node.message.helpful_count else ""
            lines.append(f"- {_one_line(node.message.body, SUMMARY_ANSWER_CHARS)} ({author}{helpful})")
        if not group.answers:
            lines.append("- No answers.")
        lines.append("")
    return "\n".join(lines).strip()


def _day(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%B} {local.day}, {local.year}"


def _one_line(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _require_archive(access: Access, chat: Chat) -> None:
    _same_community(access, chat)
    _require_host(access, chat=chat)
    if chat.state() != Chat.State.CLOSED:
        raise ChatClosed("A chat can be published once it has ended.")


def publish_as_thread(*, access: Access, chat: Chat, kind: str, archive_url: str) -> Thread:
    """Post the archive's summary as a discussion thread ("lesson learned" or "idea"); once per chat."""
    from chats.selectors import archive

    _require_archive(access, chat)
    if kind not in (Thread.Kind.LESSON, Thread.Kind.IDEA):
        raise ValidationError("Publish it as a lesson learned or as an idea.")
    if chat.thread_id:
        raise ChatClosed("This chat is already in the discussions.")
    body = _summary(chat, archive(chat=chat), archive_url)[:19_000]
    with transaction.atomic():
        thread = create_thread(
            author=access.user,
            community=access.community,
            title=f"From the chat: {chat.title}"[:200],
            body=body,
            kind=kind,
            focus_area=chat.activity.focus_area,
            access=access,
        )
        Chat.objects.filter(pk=chat.pk).update(thread=thread)
    return thread
