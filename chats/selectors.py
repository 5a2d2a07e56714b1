"""Reads of the chats app that the room, the archive, the sockets, the digest and (later) the
PD record share. Each runs a fixed number of queries whatever the number of messages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Subquery, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from calendar_app.models import Activity
from chats.models import Chat, Message, Participant, Prompt
from communities.models import Community
from communities.permissions import Access, access_for
from core.compiled import Compiled

# Someone whose socket has not said it is still here for this long has gone.
PRESENCE_WINDOW = timedelta(seconds=90)


def _chat_queryset() -> QuerySet[Chat]:
    return Chat.objects.select_related(
        "activity",
        "activity__focus_area",
        "community",
        "host",
        "pinned",
        "pinned__author",
        "pinned__prompt",
        "thread",
    ).prefetch_related("cohosts")


def chat_of_activity(*, community: Community, activity_pk: int) -> Chat | None:
    """The chat of activity ``activity_pk`` in ``community``, or None (two queries with the cohosts)."""
    return _chat_queryset().filter(community=community, activity_id=activity_pk).first()


def get_chat(*, community: Community, activity_pk: int) -> Chat:
    chat = chat_of_activity(community=community, activity_pk=activity_pk)
    if chat is None:
        raise Http404("No chat here.")
    return chat


def _messages(chat: Chat) -> QuerySet[Message]:
    return (
        Message.objects.filter(chat=chat, hidden_at__isnull=True)
        .select_related("author", "prompt", "parent", "parent__author", "parent__prompt")
        .order_by("seq")
    )


def room_messages(*, chat: Chat) -> list[Message]:
    """Every visible message of the room in order. One query."""
    messages = list(_messages(chat))
    for message in messages:
        message.chat = chat
    return messages


def messages_after(*, chat: Chat, seq: int, limit: int = 1000) -> list[Message]:
    """Visible messages numbered after ``seq``, for a socket catching up. One query."""
    messages = list(_messages(chat).filter(seq__gt=seq)[:limit])
    for message in messages:
        message.chat = chat
    return messages


def message_in_room(*, chat: Chat, pk: Any) -> Message | None:
    """A visible answer or reply of the room by id (from a query string: anything else is None)."""
    if not pk or not str(pk).isdigit():
        return None
    return (
        Message.objects.filter(chat=chat, pk=int(pk), hidden_at__isnull=True)
        .exclude(kind=Message.Kind.PROMPT)
        .select_related("author")
        .first()
    )


def posted_prompts(*, chat: Chat) -> list[Prompt]:
    return list(chat.prompts.filter(posted_at__isnull=False).order_by("number"))


def prompt_counts(*, chat: Chat) -> tuple[int, int]:
    """(prompts planned in all, prompts posted so far). One query."""
    counts = chat.prompts.aggregate(total=Count("pk"), posted=Count("pk", filter=Q(posted_at__isnull=False)))
    return counts["total"], counts["posted"]


def present_people(*, chat: Chat, now: datetime | None = None) -> list[User]:
    """Who is in the room now: an open socket that spoke within PRESENCE_WINDOW. One query."""
    now = now or timezone.now()
    rows = (
        Participant.objects.filter(chat=chat, sockets__gt=0, last_seen_at__gte=now - PRESENCE_WINDOW)
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    return [row.user for row in rows]


@dataclass
class AnswerNode:
    message: Message
    replies: list = field(default_factory=list)


@dataclass
class PromptGroup:
    prompt: Prompt | None
    answers: list = field(default_factory=list)

    @property
    def answer_count(self) -> int:
        return len(self.answers)

    @property
    def reply_count(self) -> int:
        return sum(len(node.replies) for node in self.answers)


def archive(*, chat: Chat) -> list[PromptGroup]:
    """The archive: one group per posted prompt (and one for anything said before Q1), answers
    most helpful first, replies under their answer in order. Hidden messages are left out. One query."""
    messages = room_messages(chat=chat)
    groups: dict[int | None, PromptGroup] = {None: PromptGroup(prompt=None)}
    nodes: dict[int, AnswerNode] = {}
    for message in messages:
        if message.kind == Message.Kind.PROMPT:
            groups[message.prompt_id] = PromptGroup(prompt=message.prompt)
    for message in messages:
        if message.kind == Message.Kind.ANSWER:
            node = nodes[message.pk] = AnswerNode(message=message)
            groups.get(message.prompt_id, groups[None]).answers.append(node)
    by_pk: dict[int | None, Message] = {message.pk: message for message in messages}
    for message in messages:
        if message.kind == Message.Kind.REPLY:
            # A reply to a reply sits under the answer that started the conversation.
            root = by_pk.get(message.parent_id)
            while root is not None and root.pk not in nodes:
                root = by_pk.get(root.parent_id)
            if root is not None:
                nodes[root.pk].replies.append(message)
    for group in groups.values():
        group.answers.sort(key=lambda node: (-node.message.helpful_count, node.message.seq))
    ordered = [g for key, g in groups.items() if key is not None]
    ordered.sort(key=lambda g: g.prompt.number if g.prompt else 0)  # only the "before Q1" group has none
    if groups[None].answers:
        ordered.insert(0, groups[None])
    return ordered


def socket_access(*, user: Any, slug: str, activity_pk: int) -> tuple[Chat | None, Access | int]:
    """What a socket to this room may do: ``(chat, access)``, or ``(None, close code)`` when refused.

    4404: no such room, or a hidden community the person may not know; 4401: log in first;
    4403: the community's content is for its members.
    """
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        return None, 4404
    access = access_for(user, community)
    if not access.may_view:
        return None, 4404
    if not access.may_see:
        return None, 4401 if not access.is_authenticated else 4403
    chat = chat_of_activity(community=community, activity_pk=activity_pk)
    if chat is None:
        return None, 4404
    return chat, access


def still_allowed(*, user: User, community_id: int) -> bool:
    """Whether ``user`` may still read the rooms of this community (a socket asks again now and then)."""
    community = Community.objects.filter(pk=community_id).first()
    return community is not None and access_for(user, community).may_see


def chats_between(*, communities: Iterable[Community | int], since: datetime, until: datetime) -> list[Chat]:
    """Chats of ``communities`` held in [since, until) that have ended, with their message counts,
    for the digest. One query."""
    now = timezone.now()
    return list(
        Chat.objects.filter(community__in=communities, activity__start__gte=since, activity__start__lt=until)
        .filter(Q(activity__end__lte=now) | Q(closed_at__lte=now))
        .select_related("activity", "community")
        .annotate(
            answer_count=Count("messages", filter=Q(messages__kind=Message.Kind.ANSWER, messages__hidden_at=None)),
            people=Count("participants", distinct=True),
        )
        .order_by("activity__start")
    )


def attendance_of(*, user: User, since: datetime | None = None, until: datetime | None = None) -> list[Participant]:
    """The chats ``user`` took part in (joined the live room or posted), newest first: what a PD
    record or attendance list reads. One query."""
    rows = Participant.objects.filter(user=user).select_related("chat__activity", "chat__community")
    if since is not None:
        rows = rows.filter(first_seen_at__gte=since)
    if until is not None:
        rows = rows.filter(first_seen_at__lt=until)
    return list(rows.order_by("-first_seen_at"))


def attendees_of(*, chat: Chat) -> list[Participant]:
    """Everyone who took part in ``chat``, with how many messages each posted. One query."""
    return list(
        Participant.objects.filter(chat=chat).select_related("user").order_by("user__display_name", "user__username")
    )


def activity_or_404(*, community: Community, pk: Any) -> Activity:
    return get_object_or_404(Activity.objects.select_related("community", "organizer"), community=community, pk=pk)


@dataclass(frozen=True)
class NextChat:
    """A community's next online chat: its activity, when it runs, and its room's topic once prepared."""

    activity: Activity
    start: datetime
    end: datetime
    topic: str = ""
    prepared: bool = False

    @property
    def title(self) -> str:
        return self.topic or self.activity.title

    def is_live(self, now: datetime | None = None) -> bool:
        return self.start <= (now or timezone.now()) < self.end

    @property
    def path(self) -> str:
        """The chat room of a one-off chat; a series has no room (chats.panels), so its activity page."""
        if self.activity.is_recurring:
            return self.activity.get_absolute_url()
        return reverse("chats:room", kwargs={"slug": self.activity.community.slug, "pk": self.activity.pk})


def next_chat_of(*, community: Community, now: datetime | None = None) -> NextChat | None:
    """The community's online chat on now or coming next, or None; one a host ended early is over. One query,
    compiled once per process (core.compiled).

    A series counts by its stored next date (``Activity.next_start``, kept on every change and each night).
    """
    found = _next_chat_statement()(community=community.pk, now=now or timezone.now())
    if not found:
        return None
    activity: Any = found[0]  # with the annotations of ``_next_chat_activities``
    return NextChat(
        activity=activity,
        start=activity.runs_from,
        end=activity.runs_until,
        topic=activity.topic or "",
        prepared=activity.prepared,
    )


def _next_chat_activities(community: int, now: datetime) -> QuerySet[Activity]:
    room = Chat.objects.filter(activity_id=OuterRef("pk"))
    one_off = Q(recurrence="", end__gt=now)
    series = ~Q(recurrence="") & Q(next_as_of__lte=now, next_start__isnull=False, next_end__gt=now)
    return (
        Activity.objects.filter(community_id=community, kind=Activity.Kind.CHAT)
        .filter(one_off | series)
        .exclude(Exists(room.filter(closed_at__lte=now)))
        .annotate(
            runs_from=Case(When(recurrence="", then=F("start")), default=F("next_start")),
            runs_until=Case(When(recurrence="", then=F("end")), default=F("next_end")),
            topic=Subquery(room.values("topic")[:1]),
            prepared=Exists(room),
        )
        .select_related("community")
        .defer("description", "description_html", "search_vector")
        .order_by("runs_from", "pk")[:1]
    )


@cache
def _next_chat_statement() -> Compiled:
    return Compiled(_next_chat_activities, community=int, now=datetime)
