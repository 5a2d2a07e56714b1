"""Email follows the notifications, without spam: choices per kind, batching, one connection, one-click out."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.permissions import access_for
from discussions import services as discussion_services
from discussions.models import Subscription
from notifications import emails, kinds
from notifications.models import Notification, Preference
from notifications.services import set_preferences
from tests.discussions.factories import PostFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def reply(person, thread, body):
    return discussion_services.create_reply(access=access_for(person, thread.community), thread=thread, body=body)


def test_a_mention_is_emailed_at_once_with_both_parts_and_a_one_click_unsubscribe(
    client, run_commits, private_community, private_thread
):
    rivera = MembershipFactory(community=private_community, user=UserFactory(username="rivera")).user
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "Ask @rivera about rubrics")
    (message,) = [m for m in mail.outbox if m.to == [rivera.email]]
    assert message.subject.startswith("[CoP Forum] ")
    assert "mentioned you in “Rubrics for grade 5 writing”" in message.subject
    assert message.alternatives[0][1] == "text/html"
    assert "/settings/#notification-preferences" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message.extra_headers["List-Unsubscribe"].split(">")[0].lstrip("<")
    path = link.split("testserver")[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert client.post(path).status_code == 200  # a mail client's one-click POST: no session, no CSRF
    assert Preference.objects.get(user=rivera, kind=kinds.MENTION).delivery == kinds.SITE
    with run_commits():
        reply(writer, private_thread, "And @rivera again")
    assert len([m for m in mail.outbox if m.to == [rivera.email]]) == 1  # in the site only now
    assert Notification.objects.filter(recipient=rivera, kind=kinds.MENTION).count() == 2


def test_ten_replies_in_a_minute_send_one_email_per_follower(run_commits, private_community, private_thread, settings):
    followers = [MembershipFactory(community=private_community).user for _ in range(3)]
    for person in followers:
        Subscription.objects.create(thread=private_thread, user=person)
    writers = [MembershipFactory(community=private_community).user for _ in range(10)]
    with run_commits():
        for n, writer in enumerate(writers):
            reply(writer, private_thread, f"Reply number {n}")
    # The asker is told of each reply to their thread at once (10); followers' emails wait for the window.
    asker_emails = [m for m in mail.outbox if m.to == [private_thread.author.email]]
    assert len(asker_emails) == len(mail.outbox) == 10
    mail.outbox.clear()
    assert emails.send_due(now=later(5)).sent == []  # still inside the 15 minutes
    emails.send_due(now=later(settings.NOTIFICATION_BATCH_MINUTES + 1))
    # Every follower gets one email: the three, and each writer (replying follows), who hears of later replies.
    per_person = Counter(m.to[0] for m in mail.outbox)
    assert set(per_person.values()) == {1}
    assert set(per_person) == {p.email for p in followers} | {w.email for w in writers[:-1]}
    (first,) = [m for m in mail.outbox if m.to == [followers[0].email]]
    assert "10 new replies in “Rubrics for grade 5 writing”" in first.subject
    assert first.body.count("Reply number") == 10
    assert emails.send_due(now=later(60)).sent == []  # a second run sends nothing
    print(f"batching: 10 replies in a minute -> {len(mail.outbox)} follower emails for {len(per_person)} followers")


def test_a_reply_after_the_batch_waits_for_a_new_window(run_commits, private_community, private_thread, settings):
    follower = MembershipFactory(community=private_community).user
    Subscription.objects.create(thread=private_thread, user=follower)
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "First")
    assert len(emails.send_due(now=later(16)).sent) == 1
    with run_commits():
        reply(writer, private_thread, "Second")
    waiting = Notification.objects.get(recipient=follower, emailed_at=None)
    window = dt.timedelta(minutes=settings.NOTIFICATION_BATCH_MINUTES)
    assert waiting.email_due_at == waiting.created_at + window


def test_daily_summary_gathers_a_days_notifications_into_one_email(run_commits, private_community, private_thread):
    rivera = MembershipFactory(community=private_community, user=UserFactory(username="rivera")).user
    set_preferences(user=rivera, choices={kinds.MENTION: kinds.DAILY})
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "Ask @rivera")
        reply(writer, private_thread, "Really, @rivera")
    assert [m for m in mail.outbox if m.to == [rivera.email]] == []
    emails.send_due(now=later(60 * 25))
    (message,) = [m for m in mail.outbox if m.to == [rivera.email]]
    assert "Your daily summary: 2 notifications" in message.subject


def test_helpful_marks_are_never_emailed(run_commits, private_community, private_thread):
    author = MembershipFactory(community=private_community).user
    post = PostFactory(thread=private_thread, author=author)
    fan = MembershipFactory(community=private_community).user
    with run_commits():
        discussion_services.toggle_helpful(access=access_for(fan, private_community), post=post)
    assert Notification.objects.filter(kind=kinds.HELPFUL).count() == 1
    assert emails.send_due(now=later(60 * 25)).sent == []


def test_someone_who_left_before_the_batch_went_out_is_not_emailed(run_commits, private_community, private_thread):
    follower = MembershipFactory(community=private_community).user
    Subscription.objects.create(thread=private_thread, user=follower)
    set_preferences(user=private_thread.author, choices={kinds.REPLY: kinds.SITE})
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "Secret plans")
    follower.memberships.all().delete()
    assert emails.send_due(now=later(16)).sent == []
    assert mail.outbox == []


def test_the_preferences_form_saves_choices(client, member):
    client.force_login(member)
    page = client.get(reverse("accounts:settings")).content.decode()
    assert 'id="notification-preferences"' in page
    choices = {kind.key: kind.default for kind in kinds.EMAILED_KINDS} | {kinds.FOLLOWED_REPLY: kinds.DAILY}
    response = client.post(reverse("notifications:preferences"), choices)
    assert response.status_code == 302
    assert list(Preference.objects.filter(user=member).values_list("kind", "delivery")) == [
        (kinds.FOLLOWED_REPLY, kinds.DAILY)
    ]


def test_the_preferences_form_refuses_unknown_kinds_and_keeps_the_choices(client, member):
    client.force_login(member)
    choices = {kind.key: kind.default for kind in kinds.EMAILED_KINDS} | {kinds.MENTION: kinds.DAILY}
    response = client.post(reverse("notifications:preferences"), {**choices, "weather_report": "daily"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "weather_report" in body
    assert '<option value="daily" selected>In a daily summary</option>' in body
    assert not Preference.objects.filter(user=member).exists()


def test_the_preferences_form_refuses_an_unknown_choice(client, member):
    client.force_login(member)
    response = client.post(reverse("notifications:preferences"), {kinds.MENTION: "carrier-pigeon"})
    assert response.status_code == 400
    assert not Preference.objects.filter(user=member).exists()


def test_the_preferences_form_needs_a_login(client):
    response = client.post(reverse("notifications:preferences"), {kinds.MENTION: kinds.SITE})
    assert response.status_code == 302


def test_a_broken_unsubscribe_link_gets_a_clear_page(client):
    response = client.get(reverse("notifications:unsubscribe", kwargs={"token": "nonsense"}))
    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
