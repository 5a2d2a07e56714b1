"""The thread page's replies come from the fragment cache (discussions/fragments.py): what a
viewer sees is exactly what rendering post.html would show them, and any change shows at once."""

import re

import pytest
from django.urls import reverse

from communities.models import Community
from discussions import fragments
from discussions.models import Post
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, thread, **kw):
    return reverse(f"discussions:{name}", kwargs={"slug": thread.community.slug, "thread_id": thread.pk, **kw})


def replies(client, thread):
    """The replies' markup of the thread page, the per-request tokens blanked."""
    page = client.get(thread.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    html = html[html.index('id="replies-top"') : html.index("</section>", html.index('id="replies-top"'))]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value="T"', html)


@pytest.fixture
def tree(thread, member):
    """A reply by the member with a reply under it, a reply by someone else, one already edited."""
    mine = PostFactory(thread=thread, author=member, body_html="<p>My first words</p>")
    PostFactory(thread=thread, parent=mine, body_html="<p>An answer to mine</p>")
    PostFactory(thread=thread, body_html="<p>Someone else's idea</p>")
    return mine


def test_an_edited_reply_shows_its_new_text_at_once(client, thread, member, tree):
    client.force_login(member)
    assert "My first words" in replies(client, thread)  # now in the cache
    client.post(url("edit_post", thread, post_id=tree.pk), {"body": "Better words"})
    after = replies(client, thread)
    assert "Better words" in after
    assert "My first words" not in after
    assert "edited" in after


def test_hiding_restoring_and_deleting_show_at_once(client, thread, member, moderator, tree):
    client.force_login(member)
    assert "My first words" in replies(client, thread)
    client.force_login(moderator)
    client.post(url("moderate_post", thread, post_id=tree.pk), {"action": "hide", "reason": "Off topic"})
    client.force_login(member)
    hidden = replies(client, thread)
    assert "My first words" not in hidden
    assert "Hidden by a moderator: Off topic" in hidden
    client.force_login(moderator)
    assert "Show the hidden text (moderators)" in replies(client, thread)
    client.post(url("moderate_post", thread, post_id=tree.pk), {"action": "restore"})
    client.force_login(member)
    assert "My first words" in replies(client, thread)
    client.post(url("delete_post", thread, post_id=tree.pk))
    deleted = replies(client, thread)
    assert "My first words" not in deleted
    assert "Deleted by its author." in deleted
    assert "An answer to mine" in deleted


def test_a_renamed_author_shows_at_once(client, thread, member, community, tree):
    client.force_login(MembershipFactory(community=community).user)
    assert "Ana Rivera" not in replies(client, thread)
    member.display_name = "Ana Rivera"
    member.save()
    assert "Ana Rivera" in replies(client, thread)


def test_a_new_helpful_mark_shows_at_once_to_its_giver_and_to_others(client, thread, member, community, tree):
    other, third = (MembershipFactory(community=community).user for _ in range(2))
    client.force_login(third)
    assert "Mark as helpful, 0 so far" in replies(client, thread)
    client.force_login(other)
    assert "Mark as helpful, 0 so far" in replies(client, thread)
    client.post(url("helpful", thread, post_id=tree.pk))
    assert "Helpful (marked by you), 1" in replies(client, thread)
    client.force_login(third)
    assert "Mark as helpful, 1 so far" in replies(client, thread)


def test_text_changed_without_an_edit_mark_shows_at_once(client, thread, member, tree):
    """A reply's HTML rendered again (say, by a sanitizer upgrade) changes no date: the text is in the key."""
    client.force_login(member)
    assert "My first words" in replies(client, thread)
    Post.objects.filter(pk=tree.pk).update(body_html="<p>Rendered again</p>")
    assert "Rendered again" in replies(client, thread)


def test_an_accepted_answer_and_a_locked_thread_show_at_once(client, thread, member, moderator, tree):
    client.force_login(member)
    assert "Accept as answer" in replies(client, thread)
    client.post(url("accept", thread, post_id=tree.pk))
    assert "Unmark answer" in replies(client, thread)
    client.force_login(moderator)
    client.post(url("moderate_thread", thread), {"action": "lock"})
    client.force_login(member)
    assert "Write your reply to this post" not in replies(client, thread)


def test_each_viewer_sees_what_rendering_without_the_cache_shows_them(
    client, thread, member, moderator, community, tree, monkeypatch
):
    """Viewers in turn over the same cached replies: the author, another member, a moderator, a visitor."""
    other = MembershipFactory(community=community).user
    viewers = [member, other, moderator, None, member]
    cached = []
    for viewer in viewers:
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        cached.append(replies(client, thread))
    monkeypatch.setattr(fragments, "_fragment_cache", lambda: None)
    for viewer, seen in zip(viewers, cached, strict=True):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        assert seen == replies(client, thread)
    assert cached[0].count(">Edit<") == 1  # the author's own reply only
    assert ">Edit<" not in cached[1]
    assert cached[2].count(">Moderate<") == 3
    assert "Moderate" not in cached[3]
    assert "Edit" not in cached[3]


def test_a_second_view_renders_no_reply_template(client, thread, member, tree, monkeypatch):
    client.force_login(member)
    first = replies(client, thread)

    def refuse(name):
        raise AssertionError(f"rendered {name} again")

    monkeypatch.setattr(fragments, "get_template", refuse)
    assert replies(client, thread) == first


def test_a_members_only_reply_is_not_shown_to_an_outsider_after_a_member_saw_it(client, member):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    MembershipFactory(community=private, user=member)
    thread = ThreadFactory(community=private, author=member)
    PostFactory(thread=thread, body_html="<p>Only for members</p>")
    client.force_login(member)
    assert "Only for members" in replies(client, thread)
    client.force_login(UserFactory())
    response = client.get(thread.get_absolute_url())
    assert response.status_code in (403, 404)
    assert b"Only for members" not in response.content


def test_a_second_view_in_the_same_process_does_not_ask_redis(client, thread, member, tree, monkeypatch):
    client.force_login(member)
    first = replies(client, thread)

    class NoRedis:
        def get_many(self, keys):
            raise AssertionError(f"asked Redis for {len(keys)} replies")

        def set_many(self, *args, **kwargs):
            raise AssertionError("wrote to Redis")

    monkeypatch.setattr(fragments, "_fragment_cache", NoRedis)
    assert replies(client, thread) == first
    fragments.LOCAL.clear()  # another process: Redis has them
    monkeypatch.undo()
    assert replies(client, thread) == first
