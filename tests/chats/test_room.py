"""The room over plain HTTP: what works without JavaScript, and every refusal."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from chats.models import Chat, Message
from tests.calendar_app.factories import ActivityFactory
from tests.chats.factories import add_message, add_prompt, ended_chat, live_chat, upcoming_chat
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(chat, name="room", **kwargs):
    return reverse(f"chats:{name}", kwargs={"slug": chat.community.slug, "pk": chat.activity_id, **kwargs})


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def host_client(client, host):
    client.force_login(host)
    return client


def test_members_answer_without_javascript_and_the_answer_is_labelled(member_client, chat, member):
    response = member_client.post(url(chat, "post"), {"body": "Sticky notes on the door"})
    assert response.status_code == 302
    message = Message.objects.get(chat=chat, kind="answer")
    assert response["Location"].endswith(f"#m{message.pk}")
    page = member_client.get(url(chat)).content.decode()
    assert "Sticky notes on the door" in page
    assert ">A1<" in page


def test_an_answer_to_an_earlier_prompt_keeps_its_label(member_client, chat, member):
    add_prompt(chat, 3, "Extra", posted=True)  # Q3 is current now
    member_client.post(url(chat, "post"), {"body": "Late thought on Q1", "prompt": "1"})
    member_client.post(url(chat, "post"), {"body": "On the current one"})
    late, current = Message.objects.filter(chat=chat, kind="answer").order_by("seq")
    assert late.label == "A1"
    assert current.label == "A3"


def test_a_reply_belongs_to_the_answer_and_its_prompt(member_client, chat, host):
    answer = add_message(chat, author=host, prompt=chat.prompts.get(number=1), body="Rubrics")
    page = member_client.get(url(chat) + f"?reply={answer.pk}").content.decode()
    assert "Replying to" in page
    assert f'value="{answer.pk}"' in page
    member_client.post(url(chat, "post"), {"body": "Which rubric?", "parent": answer.pk})
    reply = Message.objects.get(kind="reply")
    assert reply.parent == answer
    assert reply.label == "A1"


def test_an_answer_of_100000_characters_is_refused_and_kept(member_client, chat):
    text = "x" * 100_000
    response = member_client.post(url(chat, "post"), {"body": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "An answer can have 2,000 characters; yours has 100,000." in page
    assert text in page, "the text typed survives the refusal"
    assert not Message.objects.filter(kind="answer").exists()


def test_an_empty_answer_is_refused(member_client, chat):
    response = member_client.post(url(chat, "post"), {"body": "   "})
    assert response.status_code == 400
    assert "Write your answer first." in response.content.decode()


def test_a_prompt_number_that_is_not_a_number_is_refused(member_client, chat):
    response = member_client.post(url(chat, "post"), {"body": "Hello", "prompt": "abc"})
    assert response.status_code == 400
    assert "Pick one of the prompts posted so far." in response.content.decode()
    response = member_client.post(url(chat, "post"), {"body": "Hello", "prompt": "2"})  # Q2 not posted yet
    assert response.status_code == 400


def test_markdown_with_scripts_is_sanitized(member_client, chat):
    body = "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)> **bold**"
    member_client.post(url(chat, "post"), {"body": body})
    message = Message.objects.get(kind="answer")
    assert "<script" not in message.body_html
    assert 'href="javascript' not in message.body_html
    assert "<img" not in message.body_html
    assert "<strong>bold</strong>" in message.body_html
    page = member_client.get(url(chat)).content.decode()
    assert "<script>alert(1)</script>" not in page


def test_posting_to_an_ended_room_is_refused(client, community):
    member = MembershipFactory(community=community).user
    chat = ended_chat(community=community)
    client.force_login(member)
    response = client.post(url(chat, "post"), {"body": "Too late"})
    assert response.status_code == 409
    assert "This chat has ended" in response.content.decode()
    assert "Too late" in response.content.decode() or response.status_code == 409
    assert not Message.objects.exists()


def test_posting_before_the_room_opens_is_refused(client, community):
    member = MembershipFactory(community=community).user
    chat = upcoming_chat(community=community)
    client.force_login(member)
    response = client.post(url(chat, "post"), {"body": "Too early"})
    assert response.status_code == 409
    assert "not started yet" in response.content.decode()


def test_flooding_is_rate_limited_per_person(member_client, chat, settings, community):
    settings.CHAT_RATE_LIMIT = "3/m"
    for n in range(3):
        assert member_client.post(url(chat, "post"), {"body": f"Answer {n}"}).status_code == 302
    response = member_client.post(url(chat, "post"), {"body": "Answer 4"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Answer 4" in response.content.decode()
    other = UserFactory()
    MembershipFactory(community=community, user=other)
    member_client.force_login(other)
    assert member_client.post(url(chat, "post"), {"body": "Someone else"}).status_code == 302


def test_non_members_and_visitors_cannot_post(client, chat):
    assert client.post(url(chat, "post"), {"body": "Anonymous"}).status_code == 302  # to log in
    client.force_login(UserFactory())
    assert client.post(url(chat, "post"), {"body": "Outsider"}).status_code == 403
    assert not Message.objects.filter(kind="answer").exists()


def test_another_communitys_message_cannot_be_marked_or_hidden(host_client, chat):
    elsewhere = live_chat(community=CommunityFactory())
    foreign = add_message(elsewhere, author=UserFactory(), body="Not yours")
    assert host_client.post(url(chat, "helpful", message_id=foreign.pk)).status_code == 400
    assert host_client.post(url(chat, "hide", message_id=foreign.pk)).status_code == 400
    foreign.refresh_from_db()
    assert foreign.helpful_count == 0
    assert foreign.hidden_at is None


def test_another_communitys_activity_id_is_not_found(member_client, chat, member):
    elsewhere = live_chat(community=CommunityFactory())
    wrong = reverse("chats:room", kwargs={"slug": chat.community.slug, "pk": elsewhere.activity_id})
    assert member_client.get(wrong).status_code == 404
    assert member_client.post(wrong + "messages/", {"body": "Hi"}).status_code == 404


def test_marking_helpful_counts_once_per_person_and_not_your_own(member_client, chat, member, host):
    answer = add_message(chat, author=host, prompt=chat.prompts.get(number=1))
    member_client.post(url(chat, "helpful", message_id=answer.pk))
    answer.refresh_from_db()
    assert answer.helpful_count == 1
    member_client.post(url(chat, "helpful", message_id=answer.pk))  # takes it back
    answer.refresh_from_db()
    assert answer.helpful_count == 0
    own = add_message(chat, author=member, prompt=chat.prompts.get(number=1))
    response = member_client.post(url(chat, "helpful", message_id=own.pk), HTTP_X_CHAT_FETCH="1")
    assert response.status_code == 400
    assert response.json()["error"] == "You cannot mark your own answer helpful."


def test_only_hosts_hide_pin_pause_ask_and_end(member_client, chat, member):
    answer = add_message(chat, author=member, prompt=chat.prompts.get(number=1))
    for name, kwargs, data in (
        ("hide", {"message_id": answer.pk}, {}),
        ("pin", {}, {"message": answer.pk}),
        ("pause", {}, {"paused": "1"}),
        ("ask", {}, {"body": "Bonus"}),
        ("end", {}, {}),
    ):
        assert member_client.post(url(chat, name, **kwargs), data).status_code == 403, name
    chat.refresh_from_db()
    assert chat.paused_at is None
    assert chat.closed_at is None
    assert chat.pinned is None


def test_a_host_hides_a_message_for_everyone_and_the_archive(host_client, chat, member):
    answer = add_message(chat, author=member, prompt=chat.prompts.get(number=1), body="Off topic rant")
    reply = add_message(chat, kind="reply", author=member, parent=answer, prompt=answer.prompt, body="More rant")
    assert host_client.post(url(chat, "hide", message_id=answer.pk)).status_code == 302
    assert "Off topic rant" not in host_client.get(url(chat)).content.decode()
    reply.refresh_from_db()
    assert reply.hidden_at is not None, "its replies go with it"
    Chat.objects.filter(pk=chat.pk).update(closed_at=chat.opens_at + timedelta(minutes=4))
    archive = host_client.get(url(chat)).content.decode()
    assert "Chat archive" in archive
    assert "Off topic rant" not in archive
    assert "More rant" not in archive


def test_a_host_pins_and_unpins(host_client, chat, member):
    answer = add_message(chat, author=member, prompt=chat.prompts.get(number=1), body="Pin me")
    host_client.post(url(chat, "pin"), {"message": answer.pk})
    chat.refresh_from_db()
    assert chat.pinned == answer
    assert "Pinned by the hosts" in host_client.get(url(chat)).content.decode()
    host_client.post(url(chat, "pin"))
    chat.refresh_from_db()
    assert chat.pinned is None


def test_pausing_stops_answers_and_resuming_moves_the_prompts_to_come(host_client, chat, member):
    q2 = chat.prompts.get(number=2)
    before = q2.offset
    host_client.post(url(chat, "pause"), {"paused": "1"})
    chat.refresh_from_db()
    assert chat.state() == Chat.State.PAUSED
    other = Client()
    other.force_login(member)
    response = other.post(url(chat, "post"), {"body": "While paused"})
    assert response.status_code == 409
    assert "paused" in response.content.decode()
    assert "While paused" in response.content.decode()
    Chat.objects.filter(pk=chat.pk).update(paused_at=chat.paused_at - timedelta(minutes=3))
    host_client.post(url(chat, "pause"), {"paused": "0"})
    q2.refresh_from_db()
    assert q2.offset - before >= timedelta(minutes=3)


def test_an_unscheduled_prompt_takes_the_next_number(host_client, chat):
    response = host_client.post(url(chat, "ask"), {"body": "Bonus: one word for today?"})
    assert response.status_code == 302
    numbers = dict(chat.prompts.values_list("body", "number"))
    assert numbers["Bonus: one word for today?"] == 2
    assert numbers["How do students use it?"] == 3
    assert host_client.post(url(chat, "ask"), {"body": ""}).status_code == 400


def test_ending_the_chat_turns_the_room_into_its_archive(host_client, chat):
    host_client.post(url(chat, "end"))
    chat.refresh_from_db()
    assert chat.state() == Chat.State.CLOSED
    page = host_client.get(url(chat)).content.decode()
    assert "Chat archive" in page
    assert host_client.post(url(chat, "end")).status_code == 409


def test_members_see_the_topic_and_prompt_count_before_but_not_the_prompts(client, community, host):
    chat = upcoming_chat(community=community, host=host, topic="Grading for growth")
    add_prompt(chat, 1, "SECRET FIRST QUESTION")
    add_prompt(chat, 2, "Second")
    client.force_login(MembershipFactory(community=community).user)
    page = client.get(url(chat)).content.decode()
    assert "Grading for growth" in page
    assert "2 prompts" in page
    assert "SECRET FIRST QUESTION" not in page
    client.force_login(host)
    assert "SECRET FIRST QUESTION" in client.get(url(chat)).content.decode()


def test_the_activity_page_links_to_the_room(client, chat, member):
    client.force_login(member)
    page = client.get(chat.activity.get_absolute_url()).content.decode()
    assert url(chat) in page
    assert "Join the chat now" in page


def test_other_kinds_of_activity_have_no_room(member_client, community):
    webinar = ActivityFactory(community=community, kind="webinar")
    page = member_client.get(webinar.get_absolute_url()).content.decode()
    assert "Chat room" not in page
    assert (
        member_client.get(reverse("chats:room", kwargs={"slug": community.slug, "pk": webinar.pk})).status_code == 404
    )


def test_the_room_runs_a_fixed_number_of_queries(member_client, chat, community, assert_num_queries_exact):
    people = [MembershipFactory(community=community).user for _ in range(5)]

    def fill(count):
        for n in range(count):
            answer = add_message(chat, author=people[n % 5], prompt=chat.prompts.get(number=1), body=f"A {n}")
            add_message(chat, kind="reply", author=people[(n + 1) % 5], parent=answer, prompt=answer.prompt)

    fill(3)
    with assert_num_queries_exact(13):
        member_client.get(url(chat))
    fill(150)
    with assert_num_queries_exact(13):
        response = member_client.get(url(chat))
    assert response.content.decode().count('class="chat-message') == 1 + 2 * 153


def test_the_archive_runs_a_fixed_number_of_queries(member_client, community, assert_num_queries_exact):
    chat = ended_chat(community=community)
    prompts = [add_prompt(chat, n, posted=True) for n in (1, 2, 3)]
    people = [MembershipFactory(community=community).user for _ in range(5)]

    def fill(count):
        for n in range(count):
            answer = add_message(chat, author=people[n % 5], prompt=prompts[n % 3], body=f"A {n}")
            add_message(chat, kind="reply", author=people[(n + 1) % 5], parent=answer, prompt=answer.prompt)

    fill(3)
    with assert_num_queries_exact(11):
        member_client.get(url(chat))
    fill(200)
    with assert_num_queries_exact(11):
        assert member_client.get(url(chat)).status_code == 200
