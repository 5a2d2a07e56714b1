"""Afterwards: the archive grouped by prompt, publishing it, attendance, and the digest."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from calendar_app.models import Activity
from chats import selectors, services
from chats.models import Chat, HelpfulMark
from communities.models import Community
from communities.permissions import access_for
from digests.emails import render_digest
from digests.periods import current_period
from digests.selectors import digest_for
from discussions.models import Thread
from resources.models import Resource
from tests.calendar_app.factories import ActivityFactory
from tests.chats.factories import ChatFactory, add_message, add_prompt, ended_chat, live_chat
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(chat, name="room"):
    return reverse(f"chats:{name}", kwargs={"slug": chat.community.slug, "pk": chat.activity_id})


@pytest.fixture
def held(community, host):
    """An ended chat: Q1 with three answers (one hidden, one with a reply), Q2 with none."""
    chat = ended_chat(community=community, host=host, topic="Exit tickets")
    q1 = add_prompt(chat, 1, "What do you ask?", posted=True)
    add_prompt(chat, 2, "What changed?", posted=True)
    people = [MembershipFactory(community=community, user=UserFactory(display_name=f"P{n}")).user for n in range(3)]
    plain = add_message(chat, author=people[0], prompt=q1, body="One word summaries")
    loved = add_message(chat, author=people[1], prompt=q1, body="A muddiest point card", helpful_count=2)
    add_message(chat, kind="reply", author=people[2], prompt=q1, parent=loved, body="Stealing this")
    add_message(chat, author=people[2], prompt=q1, body="HIDDEN rant", hidden_at=chat.opens_at)
    add_message(chat, author=people[2], body="Hello all, before we start")
    chat.plain, chat.loved, chat.people = plain, loved, people
    return chat


def test_the_archive_groups_answers_by_prompt_most_helpful_first(held):
    before, q1, q2 = selectors.archive(chat=held)
    assert before.prompt is None
    assert [n.message.body for n in before.answers] == ["Hello all, before we start"]
    assert q1.prompt.number == 1
    assert [node.message for node in q1.answers] == [held.loved, held.plain]
    assert (q1.answer_count, q1.reply_count) == (2, 1)
    assert [r.body for r in q1.answers[0].replies] == ["Stealing this"]
    assert q2.prompt.number == 2
    assert q2.answer_count == 0


def test_the_archive_page_shows_counts_and_leaves_hidden_messages_out(client, held):
    client.force_login(held.people[0])
    page = client.get(url(held)).content.decode()
    assert "Chat archive: Exit tickets" in page
    assert "2 answers, 1 reply" in page
    assert page.index("A muddiest point card") < page.index("One word summaries")
    assert "HIDDEN rant" not in page


def test_a_reply_to_a_reply_stays_under_its_answer(held):
    deeper = add_message(
        held,
        kind="reply",
        author=held.people[0],
        prompt=held.loved.prompt,
        parent=held.loved.replies.get(),
        body="Me too",
    )
    q1 = selectors.archive(chat=held)[1]
    assert deeper in q1.answers[0].replies


def test_members_only_archives_stay_with_members(client, held):
    Community.objects.filter(pk=held.community_id).update(visibility="members")
    client.force_login(UserFactory())
    response = client.get(url(held))
    assert response.status_code == 403
    assert "muddiest" not in response.content.decode()
    Community.objects.filter(pk=held.community_id).update(visibility="hidden", join_policy="invitation")
    response = client.get(url(held))
    assert response.status_code == 404
    assert held.community.name not in response.content.decode()


def test_the_host_publishes_the_archive_as_a_lesson_learned_thread(client, held, host):
    client.force_login(host)
    response = client.post(url(held, "publish"), {"where": "thread", "kind": "lesson"})
    thread = Thread.objects.get()
    assert response["Location"] == thread.get_absolute_url()
    assert thread.kind == Thread.Kind.LESSON
    assert thread.title == "From the chat: Exit tickets"
    assert "**Q1. What do you ask?**" in thread.body
    assert thread.body.index("A muddiest point card") < thread.body.index("One word summaries")
    assert "HIDDEN" not in thread.body
    assert url(held) in thread.body
    assert client.post(url(held, "publish"), {"where": "thread", "kind": "lesson"}).status_code == 409
    assert Thread.objects.count() == 1
    assert "In the discussions" in client.get(url(held)).content.decode()


def test_the_host_adds_the_archive_to_the_library_through_its_filled_in_form(client, held, host, settings):
    settings.SITE_URL = "https://forum.example.org"  # the library refuses links to private addresses
    client.force_login(host)
    archive = client.get(url(held)).content.decode()
    link = re.search(r'href="([^"]*/resources/submit/\?[^"]+)"', archive)
    assert link is not None
    form_page = client.get(html.unescape(link.group(1)))
    form = form_page.context["form"]
    assert form.initial["url"].endswith(url(held))
    assert form.initial["title"] == "Chat archive: Exit tickets"
    response = client.post(html.unescape(link.group(1)).split("?")[0], dict(form.initial))
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get()
    assert resource.url.endswith(url(held))
    assert resource.status == Resource.Status.APPROVED  # the host is a moderator


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"where": "thread", "kind": "question"}, 400),
        ({"where": "resource"}, 400),
        ({"where": "elsewhere"}, 400),
        ({}, 400),
    ],
)
def test_publishing_takes_only_the_two_kinds_of_thread(client, held, host, data, status):
    client.force_login(host)
    assert client.post(url(held, "publish"), data).status_code == status
    assert not Thread.objects.exists()
    assert not Resource.objects.exists()


def test_only_hosts_publish_and_only_after_the_end(client, held, host, chat):
    client.force_login(held.people[0])
    assert client.post(url(held, "publish"), {"where": "thread", "kind": "idea"}).status_code == 403
    client.force_login(host)
    response = client.post(url(chat, "publish"), {"where": "thread", "kind": "idea"})
    assert response.status_code == 409
    assert not Thread.objects.exists()


def test_participants_are_recorded_as_attending(community, host):
    chat = live_chat(community=community, host=host)
    add_prompt(chat, 1, posted=True)
    talker, listener = MembershipFactory(community=community).user, MembershipFactory(community=community).user
    services.post_message(access=access_for(talker, community), chat=chat, body="Here!")
    assert services.joined(chat_id=chat.pk, user=listener)
    services.left(chat_id=chat.pk, user=listener)
    attended = {p.user: p.messages for p in selectors.attendees_of(chat=chat)}
    assert attended == {talker: 1, listener: 0}
    assert [p.chat for p in selectors.attendance_of(user=listener)] == [chat]


def test_opening_the_socket_before_or_after_the_chat_is_not_attending(community):
    member = MembershipFactory(community=community).user
    for chat in (ended_chat(community=community), ChatFactory(activity=ActivityFactory(community=community))):
        assert not services.joined(chat_id=chat.pk, user=member)
    assert selectors.attendance_of(user=member) == []


def _held_last_month(community, title):
    period = current_period()
    start = period.since + timedelta(days=3, hours=18)
    activity = ActivityFactory(
        community=community, kind=Activity.Kind.CHAT, start=start, end=start + timedelta(hours=1), title=title
    )
    return ChatFactory(activity=activity, topic=title), period


def test_the_digest_lists_last_months_chats_with_a_link_to_each_archive(community, settings):
    member = MembershipFactory(community=community).user
    chat, period = _held_last_month(community, "Last month's chat")
    add_message(chat, author=member, body="An answer")
    hidden_place = CommunityFactory(visibility="hidden")
    _held_last_month(hidden_place, "SECRET chat elsewhere")
    digest = digest_for(user=member, period=period)
    _subject, text, html = render_digest(digest)
    archive = f"{settings.SITE_URL}{url(chat)}"
    assert "Chats you can read back" in text
    assert archive in text
    assert archive in html
    assert "1 answer" in text
    assert "SECRET" not in text
    assert "SECRET" not in html


def test_the_digest_leaves_out_chats_still_to_come(community):
    member = MembershipFactory(community=community).user
    period = current_period()
    start = period.start + timedelta(days=40)
    ChatFactory(activity=ActivityFactory(community=community, start=start, end=start + timedelta(hours=1)))
    digest = digest_for(user=member, period=period)
    assert digest is None or not any(section.chats for section in digest.sections)


def test_helpful_marks_are_one_per_person(held):
    voter = held.people[2]
    access = access_for(voter, held.community)
    Chat.objects.filter(pk=held.pk).update(closed_at=None)
    services.toggle_helpful(access=access, chat=held, message_id=held.plain.pk)
    services.toggle_helpful(access=access, chat=held, message_id=held.plain.pk)
    services.toggle_helpful(access=access, chat=held, message_id=held.plain.pk)
    assert HelpfulMark.objects.filter(message=held.plain).count() == 1
    held.plain.refresh_from_db()
    assert held.plain.helpful_count == 1
