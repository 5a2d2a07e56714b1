"""Moderators' work comes to them: one email per community an hour at most, each may opt out; counts on the tabs."""

import datetime as dt
from collections import Counter

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.models import JoinRequest
from communities.permissions import access_for
from discussions import services as discussion_services
from discussions.models import Subscription
from notifications import emails, kinds
from notifications.models import Notification
from notifications.services import set_preferences
from resources import services as resource_services
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.queries import exact_queries
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def later(minutes):
    return timezone.now() + dt.timedelta(minutes=minutes)


def flag(community, thread, post):
    reporter = MembershipFactory(community=community).user
    return discussion_services.flag(access=access_for(reporter, community), thread=thread, post=post, category="spam")


def submit(community):
    person = MembershipFactory(community=community).user
    return resource_services.submit_resource(
        access=access_for(person, community), title="Place value mats", kind="link", url="https://example.org/mats"
    )


def test_flags_and_submissions_send_each_moderator_one_email_an_hour(
    run_commits, private_community, private_thread, settings
):
    moderators = [MembershipFactory(community=private_community, is_moderator=True).user for _ in range(2)]
    posts = [PostFactory(thread=private_thread) for _ in range(3)]
    with run_commits():
        for post in posts:
            flag(private_community, private_thread, post)
        submit(private_community)
    assert mail.outbox == []
    assert emails.send_due(now=later(30)).sent == []  # inside the hour
    emails.send_due(now=later(settings.NOTIFICATION_MODERATOR_BATCH_MINUTES + 1))
    assert Counter(m.to[0] for m in mail.outbox) == {m.email: 1 for m in moderators}
    (message,) = [m for m in mail.outbox if m.to == [moderators[0].email]]
    assert message.subject == f"[CoP Forum] 4 things need moderation in {private_community.name}"
    assert message.body.count("flagged a post") == 3
    assert "submitted “Place value mats” for review" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert emails.send_due(now=later(200)).sent == []  # a second run sends nothing
    print(f"moderator batching: 3 flags + 1 submission -> {len(mail.outbox)} emails for {len(moderators)} moderators")


def test_a_flag_later_in_the_hour_joins_the_waiting_email(run_commits, private_community, private_thread):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    with run_commits():
        flag(private_community, private_thread, PostFactory(thread=private_thread))
    first = Notification.objects.get(recipient=moderator)
    Notification.objects.filter(pk=first.pk).update(email_due_at=later(20))  # as if it came 40 minutes ago
    with run_commits():
        submit(private_community)
    due = set(Notification.objects.filter(recipient=moderator).values_list("email_due_at", flat=True))
    assert len(due) == 1
    assert len(emails.send_due(now=later(21)).sent) == 1


def test_a_moderator_who_opted_out_keeps_them_in_the_site_only(run_commits, private_community, private_thread):
    quiet = MembershipFactory(community=private_community, is_moderator=True).user
    set_preferences(user=quiet, choices={kinds.MOD_FLAG: kinds.SITE, kinds.MOD_SUBMISSION: kinds.SITE})
    with run_commits():
        flag(private_community, private_thread, PostFactory(thread=private_thread))
        submit(private_community)
    emails.send_due(now=later(120))
    assert not [m for m in mail.outbox if m.to == [quiet.email]]
    assert Notification.objects.filter(recipient=quiet).count() == 2


def test_a_moderator_demoted_before_the_email_went_out_gets_none(run_commits, private_community, private_thread):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    with run_commits():
        flag(private_community, private_thread, PostFactory(thread=private_thread))
    moderator.memberships.update(is_moderator=False)
    emails.send_due(now=later(120))
    assert mail.outbox == []


def test_replies_keep_their_own_email_apart_from_moderation(run_commits, private_community, private_thread, settings):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    Subscription.objects.create(thread=private_thread, user=moderator)
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        discussion_services.create_reply(access=access_for(writer, private_community), thread=private_thread, body="Hi")
        flag(private_community, private_thread, PostFactory(thread=private_thread))
    emails.send_due(now=later(120))
    subjects = sorted(m.subject for m in mail.outbox if m.to == [moderator.email])
    assert len(subjects) == 2


# -- the community tabs ------------------------------------------------------------------------


def tab_counts(html):
    header = html.split('aria-label="Community sections"')[1].split("</ul>")[0]
    counts = {}
    for tab in ("Discussions", "Resources", "Manage"):
        if f">{tab}" in header:
            after = header.split(f">{tab}")[1].split("</a>")[0]
            counts[tab] = after.split('">')[1].split("<")[0] if "badge" in after else ""
    return counts


def test_the_tabs_show_moderators_what_waits_in_one_query(client, private_community, private_thread):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    member = MembershipFactory(community=private_community).user
    elsewhere = CommunityFactory()
    for post in [PostFactory(thread=private_thread) for _ in range(2)]:
        flag(private_community, private_thread, post)
    ResourceFactory(community=private_community, submitted=True)
    ResourceFactory(community=private_community, link_status="broken")
    ResourceFactory(community=private_community, submitted=True, link_status="broken")  # counted once
    ResourceFactory(community=elsewhere, submitted=True)
    JoinRequest.objects.create(community=private_community, user=UserFactory())
    client.force_login(moderator)
    page = client.get(private_community.get_absolute_url()).content.decode()
    assert tab_counts(page) == {"Discussions": "2", "Resources": "3", "Manage": "1"}
    assert "waiting for moderators" in page
    client.force_login(member)
    page = client.get(private_community.get_absolute_url()).content.decode()
    assert "waiting for moderators" not in page


def test_the_tab_counts_cost_one_query_whatever_waits(client, private_community):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    access = access_for(moderator, private_community)
    with exact_queries(1):
        first = access.moderation_counts
    thread = ThreadFactory(community=private_community)
    for post in [PostFactory(thread=thread) for _ in range(30)]:
        flag(private_community, thread, post)
    for _ in range(30):
        ResourceFactory(community=private_community, submitted=True)
    access = access_for(moderator, private_community)
    with exact_queries(1):
        counts = access.moderation_counts
    assert first == {"manage": 0, "discussions": 0, "resources": 0}
    assert counts == {"manage": 0, "discussions": 30, "resources": 30}
    member_access = access_for(MembershipFactory(community=private_community).user, private_community)
    with exact_queries(0):
        assert member_access.moderation_counts == {}


def test_the_manage_tab_count_leads_to_the_requests(client, private_community):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    JoinRequest.objects.create(community=private_community, user=UserFactory())
    client.force_login(moderator)
    page = client.get(reverse("communities:manage_requests", kwargs={"slug": private_community.slug}))
    assert tab_counts(page.content.decode())["Manage"] == "1"
