"""Preparing a chat: the prompts, their minutes, the co-hosts, and what is refused."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from calendar_app.reminders import send_due_reminders
from chats.models import Chat, Prompt
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.chats.factories import add_prompt, ended_chat, now
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(community, host):
    start = now() + timedelta(days=2)
    return ActivityFactory(community=community, start=start, end=start + timedelta(hours=1), title="Feedback chat")


def prepare_url(activity):
    return reverse("chats:prepare", kwargs={"slug": activity.community.slug, "pk": activity.pk})


def form(**extra):
    return {"topic": "Feedback", "prompts": "What works?\nWhat fails?\n+45 What next?", "interval": "10", **extra}


def test_a_host_writes_the_prompts_every_ten_minutes_by_default(client, host, activity):
    client.force_login(host)
    response = client.post(prepare_url(activity), form())
    assert response.status_code == 302
    chat = Chat.objects.get(activity=activity)
    assert chat.host == host
    assert [(p.number, p.minute, p.body) for p in chat.prompts.all()] == [
        (1, 0, "What works?"),
        (2, 10, "What fails?"),
        (3, 45, "What next?"),
    ]


def test_preparing_again_replaces_the_prompts_still_to_come(client, host, activity):
    client.force_login(host)
    client.post(prepare_url(activity), form())
    client.post(prepare_url(activity), form(prompts="Only one now"))
    assert list(Prompt.objects.values_list("body", flat=True)) == ["Only one now"]
    page = client.get(prepare_url(activity)).content.decode()
    assert "+0 Only one now" in page


def test_co_hosts_must_be_members_and_may_then_run_the_chat(client, host, activity, community):
    helper = MembershipFactory(community=community, user=UserFactory(username="CoHelper")).user
    stranger = UserFactory(username="stranger")
    client.force_login(host)
    response = client.post(prepare_url(activity), form(cohosts="stranger"))
    assert response.status_code == 400
    assert "Co-hosts must be members of this community. Not found: stranger." in response.content.decode()
    assert not Chat.objects.exists()
    assert client.post(prepare_url(activity), form(cohosts="@cohelper")).status_code == 302
    chat = Chat.objects.get()
    assert list(chat.cohosts.all()) == [helper]
    client.force_login(helper)
    assert client.get(prepare_url(activity)).status_code == 200
    client.force_login(stranger)
    assert client.get(prepare_url(activity)).status_code == 403


def test_a_prompt_scheduled_before_the_start_is_refused_with_the_text_kept(client, host, activity):
    client.force_login(host)
    response = client.post(prepare_url(activity), form(prompts="Warm up\n-5 Before we begin"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Q2 is set 5 minutes before the chat starts" in page
    assert "-5 Before we begin" in page
    assert not Chat.objects.exists()


def test_a_prompt_after_the_end_is_refused(client, host, activity):
    client.force_login(host)
    response = client.post(prepare_url(activity), form(prompts="+75 Too late"))
    assert response.status_code == 400
    assert "the chat ends after 60 minutes" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"prompts": ""}, "Write at least one prompt, one per line."),
        ({"prompts": "x" * 1001}, "Q1 is 1,001 characters long; a prompt can have 1,000."),
        ({"prompts": "\n".join(f"Q{n}" for n in range(31))}, "A chat can have at most 30 prompts"),
        ({"interval": "ten"}, "Give the minutes between prompts as a whole number"),
        ({"interval": "0"}, "greater than or equal to 1"),
        ({"topic": "t" * 201}, "at most 200 characters"),
    ],
)
def test_bad_plans_are_refused(client, host, activity, data, message):
    client.force_login(host)
    response = client.post(prepare_url(activity), form(**data))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_members_who_are_not_hosts_cannot_prepare(client, activity, community):
    client.force_login(MembershipFactory(community=community).user)
    assert client.get(prepare_url(activity)).status_code == 403
    assert client.post(prepare_url(activity), form()).status_code == 403
    client.force_login(UserFactory())
    assert client.post(prepare_url(activity), form()).status_code == 403
    client.logout()
    assert client.post(prepare_url(activity), form()).status_code == 302
    assert not Chat.objects.exists()


def test_another_communitys_activity_cannot_be_prepared_from_here(client, host, community):
    elsewhere = ActivityFactory(community=CommunityFactory())
    client.force_login(host)
    wrong = reverse("chats:prepare", kwargs={"slug": community.slug, "pk": elsewhere.pk})
    assert client.post(wrong, form()).status_code == 404


def test_only_online_chats_and_one_off_dates_get_a_room(client, host, community):
    client.force_login(host)
    webinar = ActivityFactory(community=community, kind="webinar")
    assert client.post(prepare_url(webinar), form()).status_code == 404
    weekly = ActivityFactory(community=community, recurrence="FREQ=WEEKLY;COUNT=4")
    response = client.post(prepare_url(weekly), form())
    assert response.status_code == 400
    assert "schedule each chat as its own activity" in response.content.decode()


def test_an_ended_chat_cannot_be_prepared_again(client, host, community):
    chat = ended_chat(community=community, host=host)
    add_prompt(chat, 1, posted=True)
    client.force_login(host)
    response = client.post(prepare_url(chat.activity), form())
    assert response.status_code == 409


def test_the_activity_page_offers_hosts_to_prepare_the_chat(client, host, activity, community):
    client.force_login(host)
    assert "Prepare the chat" in client.get(activity.get_absolute_url()).content.decode()
    client.force_login(MembershipFactory(community=community).user)
    page = client.get(activity.get_absolute_url()).content.decode()
    assert "The hosts have not written the prompts yet." in page
    assert "Prepare the chat" not in page


def test_the_reminder_email_links_to_the_chat_room(community, activity, settings):
    member = MembershipFactory(community=community).user
    RSVPFactory(activity=activity, user=member)
    room = reverse("chats:room", kwargs={"slug": community.slug, "pk": activity.pk})
    assert len(send_due_reminders(now=activity.start - timedelta(hours=20)).sent) == 1
    assert f"Chat room: {settings.SITE_URL}{room}" in mail.outbox[0].body
