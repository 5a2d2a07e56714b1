"""Each kind of notification is made by the action that causes it and shown to exactly the right people."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities import services as community_services
from communities.models import Invitation, JoinRequest
from communities.permissions import access_for
from discussions import services as discussion_services
from discussions.models import Flag, Subscription
from notifications import kinds
from notifications.models import Notification
from tests.discussions.factories import PostFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def told(kind):
    """{recipient id: sentence} of the notifications of ``kind``."""
    return {n.recipient_id: n.sentence for n in Notification.objects.filter(kind=kind).select_related("actor")}


def reply(person, thread, body, parent=None):
    access = access_for(person, thread.community)
    return discussion_services.create_reply(access=access, thread=thread, body=body, parent=parent)


def test_a_mention_tells_only_the_person_mentioned_who_may_see_the_community(
    run_commits, private_community, private_thread
):
    rivera = MembershipFactory(community=private_community, user=UserFactory(username="rivera")).user
    UserFactory(username="outsider")
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "Ask @rivera and @outsider")
    assert told(kinds.MENTION) == {rivera.pk: f"{writer.name} mentioned you in “Rubrics for grade 5 writing”"}


def test_a_reply_tells_the_author_replied_to_and_followers_once_each(run_commits, private_community, private_thread):
    asker = private_thread.author
    follower = MembershipFactory(community=private_community).user
    mentioned = MembershipFactory(community=private_community, user=UserFactory(username="lee")).user
    Subscription.objects.create(thread=private_thread, user=follower)
    Subscription.objects.create(thread=private_thread, user=mentioned)
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "We used a four-point scale. cc @lee")
    assert set(told(kinds.REPLY)) == {asker.pk}
    assert set(told(kinds.FOLLOWED_REPLY)) == {follower.pk}
    assert set(told(kinds.MENTION)) == {mentioned.pk}
    assert not Notification.objects.filter(recipient=writer).exists()


def test_a_follower_who_left_the_community_is_told_nothing(run_commits, private_community, private_thread):
    follower = MembershipFactory(community=private_community).user
    Subscription.objects.create(thread=private_thread, user=follower)
    follower.memberships.all().delete()
    writer = MembershipFactory(community=private_community).user
    with run_commits():
        reply(writer, private_thread, "Secret plans")
    assert not Notification.objects.filter(recipient=follower).exists()
    assert set(told(kinds.REPLY)) == {private_thread.author_id}


def test_three_helpful_marks_are_one_grouped_notification(run_commits, private_community, private_thread):
    author = MembershipFactory(community=private_community).user
    post = PostFactory(thread=private_thread, author=author)
    fans = [MembershipFactory(community=private_community).user for _ in range(3)]
    with run_commits():
        for fan in fans:
            discussion_services.toggle_helpful(access=access_for(fan, private_community), post=post)
        # Un-marking and marking again is still the same person.
        for _ in range(2):
            discussion_services.toggle_helpful(access=access_for(fans[0], private_community), post=post)
    assert list(told(kinds.HELPFUL).values()) == ["3 people found your reply in “Rubrics for grade 5 writing” helpful"]


def test_accepting_an_answer_tells_its_author(run_commits, private_community, private_thread):
    author = MembershipFactory(community=private_community).user
    post = PostFactory(thread=private_thread, author=author)
    with run_commits():
        discussion_services.accept_answer(
            access=access_for(private_thread.author, private_community), thread=private_thread, post=post
        )
    assert set(told(kinds.ANSWER_ACCEPTED)) == {author.pk}


def test_a_hidden_post_tells_its_author_why(run_commits, private_community, private_thread):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    author = MembershipFactory(community=private_community).user
    post = PostFactory(thread=private_thread, author=author)
    with run_commits():
        discussion_services.moderate_post(
            access=access_for(moderator, private_community), post=post, action="hide", reason="Names a student"
        )
    notification = Notification.objects.get(kind=kinds.POST_HIDDEN)
    assert notification.recipient == author
    assert notification.detail == "Names a student"


def test_flags_tell_the_moderators_grouped_per_post(run_commits, private_community, private_thread):
    moderators = [MembershipFactory(community=private_community, is_moderator=True).user for _ in range(2)]
    post = PostFactory(thread=private_thread)
    with run_commits():
        for _ in range(2):
            reporter = MembershipFactory(community=private_community).user
            discussion_services.flag(
                access=access_for(reporter, private_community), thread=private_thread, post=post, reason="Spam"
            )
    assert Flag.objects.count() == 2
    assert set(told(kinds.MOD_FLAG)) == {m.pk for m in moderators}
    assert Notification.objects.get(recipient=moderators[0]).count == 2


def test_join_requests_tell_moderators_and_the_decision_tells_the_requester(run_commits, private_community):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    MembershipFactory(community=private_community)  # a plain member hears nothing
    newcomer = UserFactory()
    with run_commits():
        community_services.join_community(user=newcomer, community=private_community, message="Hi")
    assert set(told(kinds.MOD_JOIN_REQUEST)) == {moderator.pk}
    assert Notification.objects.get(kind=kinds.MOD_JOIN_REQUEST).url == reverse(
        "communities:manage_requests", kwargs={"slug": private_community.slug}
    )
    with run_commits():
        community_services.approve_join_request(
            access=access_for(moderator, private_community), join_request=JoinRequest.objects.get()
        )
    assert told(kinds.JOIN_DECIDED) == {newcomer.pk: f"Your request to join {private_community.name} was approved"}


def test_a_declined_requester_is_told_too(run_commits, private_community):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    newcomer = UserFactory()
    request = JoinRequest.objects.create(community=private_community, user=newcomer)
    with run_commits():
        community_services.decline_join_request(access=access_for(moderator, private_community), join_request=request)
    assert told(kinds.JOIN_DECIDED) == {newcomer.pk: f"Your request to join {private_community.name} was declined"}


def test_an_accepted_invitation_tells_who_sent_it(run_commits, private_community):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    guest = UserFactory(email="guest@example.com")
    expires = timezone.now() + timedelta(days=3)
    invitation = Invitation.objects.create(
        community=private_community, email=guest.email, invited_by=moderator, expires_at=expires
    )
    with run_commits():
        community_services.accept_invitation(user=guest, invitation=invitation)
    assert set(told(kinds.INVITATION_ACCEPTED)) == {moderator.pk}


def test_fan_out_run_twice_inserts_nothing_twice(run_commits, private_community, private_thread):
    from notifications.services import fan_out

    writer = MembershipFactory(community=private_community).user
    with run_commits() as callbacks:
        reply(writer, private_thread, "Once")
    assert Notification.objects.count() == 1
    payload = {
        "kind": kinds.REPLY,
        "recipients": [private_thread.author_id],
        "url": "/x/",
        "event_key": Notification.objects.get().event_key,
        "community": private_community.pk,
        "actor": writer.pk,
        "target": None,
        "subject": "",
        "detail": "",
        "group_key": "",
        "email_group": "",
    }
    fan_out(payload)
    assert Notification.objects.count() == 1
    assert callbacks
