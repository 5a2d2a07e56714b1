"""Moderators' work comes to them: flag categories, auto-hide after N flags, the author told why."""

import pytest
from django.urls import reverse

from communities.permissions import access_for
from discussions import services as discussion_services
from discussions.models import Flag, Post
from notifications import kinds
from notifications.models import Notification
from tests.discussions.factories import PostFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def flag_it(community, thread, post, category="spam", reason=""):
    reporter = MembershipFactory(community=community).user
    return discussion_services.flag(
        access=access_for(reporter, community), thread=thread, post=post, category=category, reason=reason
    )


def test_a_post_is_hidden_after_three_flags_from_different_members_and_its_author_is_told(
    run_commits, private_community, private_thread
):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    author = MembershipFactory(community=private_community).user
    post = PostFactory(thread=private_thread, author=author)
    with run_commits():
        flag_it(private_community, private_thread, post, "spam")
        flag_it(private_community, private_thread, post, "off_topic")
        post.refresh_from_db()
        assert not post.is_hidden
        flag_it(private_community, private_thread, post, "disrespectful")
    post.refresh_from_db()
    assert post.is_hidden
    told = Notification.objects.get(kind=kinds.POST_HIDDEN)
    assert told.recipient == author
    assert "several members flagged it" in told.detail
    grouped = Notification.objects.get(recipient=moderator, kind=kinds.MOD_FLAG)
    assert grouped.count == 3
    assert grouped.sentence == f"3 flags on a post in “{private_thread.title}”"


def test_one_member_flagging_twice_counts_once(run_commits, private_community, private_thread, settings):
    settings.FLAG_AUTO_HIDE_COUNT = 2
    post = PostFactory(thread=private_thread)
    reporter = MembershipFactory(community=private_community).user
    for _ in range(3):
        discussion_services.flag(
            access=access_for(reporter, private_community), thread=private_thread, post=post, category="spam"
        )
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_a_moderator_dismissing_the_flags_brings_an_auto_hidden_post_back(private_community, private_thread):
    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    post = PostFactory(thread=private_thread)
    for _ in range(3):
        flag_it(private_community, private_thread, post)
    assert Post.objects.get(pk=post.pk).is_hidden
    discussion_services.dismiss_flag(access=access_for(moderator, private_community), flag=Flag.objects.first())
    assert not Post.objects.get(pk=post.pk).is_hidden


def test_a_flag_needs_a_known_category_and_a_reason_for_something_else(client, private_community, private_thread):
    post = PostFactory(thread=private_thread)
    member = MembershipFactory(community=private_community).user
    client.force_login(member)
    url = reverse(
        "discussions:flag_post",
        kwargs={"slug": private_community.slug, "thread_id": private_thread.pk, "post_id": post.pk},
    )
    assert client.post(url, {"category": "boring"}).status_code == 400
    response = client.post(url, {"category": "other", "reason": ""})
    assert response.status_code == 400
    assert "Please say what is wrong." in response.content.decode()
    assert client.post(url, {"category": "spam"}).status_code == 302
    assert Flag.objects.get().category == "spam"


def test_needs_moderation_on_the_home_page_counts_each_community_i_moderate(client, private_community, private_thread):
    from communities.models import JoinRequest
    from tests.factories import CommunityFactory, UserFactory

    moderator = MembershipFactory(community=private_community, is_moderator=True).user
    elsewhere = CommunityFactory(name="Not mine")
    post = PostFactory(thread=private_thread)
    for _ in range(2):
        flag_it(private_community, private_thread, post)
    JoinRequest.objects.create(community=private_community, user=UserFactory())
    JoinRequest.objects.create(community=elsewhere, user=UserFactory())
    client.force_login(moderator)
    page = client.get("/").content.decode()
    section = page.split('id="needs-moderation"')[1].split("</section>")[0]
    assert private_community.name in section
    assert "2 open flags" in section
    assert "1 request to join" in section
    assert "Not mine" not in section
    member = MembershipFactory(community=private_community).user
    client.force_login(member)
    assert 'id="needs-moderation"' not in client.get("/").content.decode()
