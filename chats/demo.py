"""Demo chats in the first demo community: one held last week, with its archive, and one
prepared for next week. Idempotent by title."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from calendar_app.models import Activity
from chats.models import Chat, Message, Participant, Prompt
from communities.demo import COMMUNITIES
from communities.models import Community
from core.text import render_markdown

PAST = "Chat: feedback that moves learning"
NEXT = "Chat: unplugged activities that stick"
PAST_PROMPTS = [
    "What feedback helped you most as a learner?",
    "How do your students act on the feedback you give?",
    "What will you try this week?",
]
PAST_ANSWERS = [
    ("teacher", 0, "A teacher who wrote *one* question in my margin instead of a grade.", 2),
    ("peer", 0, "Peer review with a checklist the class wrote together.", 1),
    ("teacher", 1, "They revise one paragraph before the next draft is due.", 1),
    ("peer", 2, "Exit tickets with a single question, every day for a week.", 0),
]
NEXT_PROMPTS = [
    "Which unplugged activity do your students ask for again?",
    "How do you connect it to code afterwards?",
    "What would you change next time?",
]


def _activity(community, title, start, organizer):
    activity = Activity.objects.filter(community=community, title=title).first()
    if activity is None:
        activity = Activity.objects.create(
            community=community,
            title=title,
            kind=Activity.Kind.CHAT,
            start=start,
            end=start + timedelta(hours=1),
            span_start=start,
            span_end=start + timedelta(hours=1),
            organizer=organizer,
            time_zone="America/Chicago",
            description="An education chat: a prompt every ten minutes, answer A1 for Q1 and so on.",
        )
    return activity


def _prompts(chat, bodies, *, posted_from=None):
    for number, body in enumerate(bodies, start=1):
        Prompt.objects.get_or_create(
            chat=chat,
            number=number,
            defaults={
                "body": body,
                "body_html": render_markdown(body),
                "offset": timedelta(minutes=10 * (number - 1)),
                "posted_at": posted_from + timedelta(minutes=10 * (number - 1)) if posted_from else None,
            },
        )


def seed(*, stdout):
    community = Community.objects.filter(slug=COMMUNITIES[0]["slug"]).first()
    host = User.objects.filter(username="moderator").first() or User.objects.filter(username="leader").first()
    if community is None or host is None or Activity.objects.filter(community=community, title=PAST).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["teacher", "peer"])}
    start = (timezone.now() - timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    chat = Chat.objects.create(
        activity=_activity(community, PAST, start, host),
        community=community,
        host=host,
        topic="Feedback that moves learning",
    )
    _prompts(chat, PAST_PROMPTS, posted_from=start)
    seq = 0
    prompts = list(chat.prompts.order_by("number"))
    for prompt in prompts:
        seq += 1
        Message.objects.create(
            chat=chat,
            seq=seq,
            kind=Message.Kind.PROMPT,
            prompt=prompt,
            body=prompt.body,
            body_html=prompt.body_html,
            created_at=start + prompt.offset,
        )
        for username, index, body, helpful in PAST_ANSWERS:
            if index == prompt.number - 1 and username in people:
                seq += 1
                Message.objects.create(
                    chat=chat,
                    seq=seq,
                    kind=Message.Kind.ANSWER,
                    author=people[username],
                    prompt=prompt,
                    body=body,
                    body_html=render_markdown(body),
                    helpful_count=helpful,
                    created_at=start + prompt.offset + timedelta(minutes=2),
                )
    Chat.objects.filter(pk=chat.pk).update(last_seq=seq)
    for person in [host, *people.values()]:
        Participant.objects.get_or_create(
            chat=chat, user=person, defaults={"first_seen_at": start, "last_seen_at": start + timedelta(hours=1)}
        )
    upcoming = (timezone.now() + timedelta(days=7)).replace(minute=0, second=0, microsecond=0)
    next_chat = Chat.objects.create(
        activity=_activity(community, NEXT, upcoming, host),
        community=community,
        host=host,
        topic="Unplugged activities that stick",
    )
    _prompts(next_chat, NEXT_PROMPTS)
    stdout.write("Chats: one archive from last week and one chat prepared for next week.")
