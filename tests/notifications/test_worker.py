"""Notification emails end to end: a real Celery worker on Redis, a real SMTP server on loopback."""

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from communities.models import Community
from communities.permissions import access_for
from discussions import services as discussion_services
from discussions.models import Subscription
from notifications import kinds
from notifications.models import Notification
from notifications.services import set_preferences
from notifications.tasks import send_due_emails
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.workers import SITE_URL, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_batch_of_reply_emails_goes_out_over_one_connection_once(start_worker, smtp_server, settings):
    settings.POST_RATE_LIMIT = "100/m"
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    thread = ThreadFactory(community=community, author=MembershipFactory(community=community).user, title="Robots")
    set_preferences(user=thread.author, choices={kinds.REPLY: kinds.SITE})
    followers = [MembershipFactory(community=community).user for _ in range(4)]
    for person in followers:
        Subscription.objects.create(thread=thread, user=person)
    writer = MembershipFactory(community=community).user
    start_worker()
    for n in range(5):
        discussion_services.create_reply(access=access_for(writer, community), thread=thread, body=f"Reply {n}")
    wait_for(lambda: Notification.objects.filter(kind=kinds.FOLLOWED_REPLY).count() == 5 * 4, what="the fan-out")
    assert smtp_server.handler.received() == []  # the batch window has not ended
    # The window ends (as if 15 minutes went by); the worker's run sends the batch.
    Notification.objects.filter(email_due_at__isnull=False).update(
        email_due_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert send_due_emails.delay().get(timeout=120) == 4
    received = smtp_server.handler.received()
    assert Counter(rcpt for rcpts, _ in received for rcpt in rcpts) == {p.email: 1 for p in followers}
    assert smtp_server.handler.connections() == 1
    (message,) = smtp_server.handler.to(followers[0].email)
    assert message["Subject"] == "[CoP Forum] 5 new replies in “Robots”"
    assert message["List-Unsubscribe"].strip().startswith(f"<{SITE_URL}/notifications/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.count("Reply ") >= 5
    assert send_due_emails.delay().get(timeout=120) == 0  # a second run sends nothing
    assert len(smtp_server.handler.received()) == 4


def test_a_poll_opening_fans_out_on_a_real_worker_once_across_two_beat_runs(start_worker):
    from polls.tasks import announce_opened_polls
    from tests.polls.factories import PollFactory

    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    members = [MembershipFactory(community=community).user for _ in range(3)]
    former = MembershipFactory(community=community).user
    poll = PollFactory(community=community, opens_at=timezone.now() - dt.timedelta(minutes=1), question="Pace?")
    former.memberships.all().delete()
    start_worker()
    assert announce_opened_polls.delay().get(timeout=120) == 1
    wait_for(lambda: Notification.objects.filter(kind=kinds.POLL_OPENED).count() == 3, what="the poll's fan-out")
    assert announce_opened_polls.delay().get(timeout=120) == 0
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {p.pk for p in members}
    assert set(Notification.objects.values_list("target_id", flat=True)) == {poll.pk}
