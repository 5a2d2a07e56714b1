"""Reply counts leave out deleted replies and follow inline replies; deleting a reply asks first."""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from communities.permissions import access_for
from discussions import services
from discussions.models import Post, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _url(name, post):
    kwargs = {"slug": post.community.slug, "thread_id": post.thread_id, "post_id": post.pk}
    return reverse(f"discussions:{name}", kwargs=kwargs)


def test_a_deleted_reply_leaves_the_count_once_however_often_it_is_deleted(community, member):
    thread = ThreadFactory(community=community)
    mine = PostFactory(thread=thread, author=member)
    PostFactory(thread=thread)
    access = access_for(member, community)
    services.delete_post(access=access, post=mine)
    services.delete_post(access=access, post=mine)
    assert Thread.objects.get(pk=thread.pk).reply_count == 1


def test_the_thread_list_and_heading_count_only_replies_that_are_there(client, community, member):
    thread = ThreadFactory(community=community, title="Counting")
    mine = PostFactory(thread=thread, author=member)
    client.force_login(member)
    client.post(_url("delete_post", mine))
    assert b"0 replies" in client.get(thread.get_absolute_url()).content
    assert b"0 replies" in client.get(f"/c/{community.slug}/t/").content


def test_the_migration_recounts_threads_with_deleted_replies(community):
    thread = ThreadFactory(community=community)
    PostFactory(thread=thread)
    PostFactory(thread=thread, is_deleted=True)
    untouched = ThreadFactory(community=community)
    PostFactory(thread=untouched)
    migration = importlib.import_module("discussions.migrations.0005_reply_count_without_deleted")
    migration.recount(apps, None)
    assert Thread.objects.get(pk=thread.pk).reply_count == 1
    assert Thread.objects.get(pk=untouched.pk).reply_count == 1


def test_an_inline_reply_also_updates_the_heading(client, community, member):
    thread = ThreadFactory(community=community)
    PostFactory(thread=thread)
    client.force_login(member)
    url = reverse("discussions:reply", kwargs={"slug": community.slug, "thread_id": thread.pk})
    response = client.post(url, {"body": "Me too"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<h3 id="replies-heading" class="h5" data-hx-swap-oob="true">2 replies</h3>' in html


def test_deleting_a_reply_asks_first_and_shows_what_goes(client, community, member):
    post = PostFactory(thread=ThreadFactory(community=community), author=member, body="My *careful* answer")
    client.force_login(member)
    page = client.get(_url("delete_post", post))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Delete this reply in" in html
    assert "My *careful* answer" in html
    assert f'action="{_url("delete_post", post)}"' in html
    assert not Post.objects.get(pk=post.pk).is_deleted
    assert client.post(_url("delete_post", post)).status_code == 302
    assert Post.objects.get(pk=post.pk).is_deleted


def test_someone_elses_reply_and_another_communitys_reply_have_no_confirm_page(client, community, member):
    theirs = PostFactory(thread=ThreadFactory(community=community))
    elsewhere = PostFactory(thread=ThreadFactory(community=CommunityFactory()))
    client.force_login(member)
    assert client.get(_url("delete_post", theirs)).status_code == 403
    wrong_community = reverse(
        "discussions:delete_post",
        kwargs={"slug": community.slug, "thread_id": elsewhere.thread_id, "post_id": elsewhere.pk},
    )
    assert client.get(wrong_community).status_code == 404
    client.logout()
    assert client.get(_url("delete_post", theirs)).status_code == 302  # to the login page


def test_a_moderator_may_be_asked_about_anyones_reply(client, community, moderator):
    post = PostFactory(thread=ThreadFactory(community=community), author=MembershipFactory(community=community).user)
    client.force_login(moderator)
    assert client.get(_url("delete_post", post)).status_code == 200
