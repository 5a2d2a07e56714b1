from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from communities.models import Community
from communities.permissions import access_for
from discussions import services
from discussions.models import Flag, ModerationLogEntry, Post, Reaction, Revision, Subscription, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name, thread, **kw):
    return reverse(f"discussions:{name}", kwargs={"slug": thread.community.slug, "thread_id": thread.pk, **kw})


def test_member_starts_a_thread_and_follows_it(client, community, member):
    client.force_login(member)
    area = FocusAreaFactory(community=community)
    response = client.post(
        f"/c/{community.slug}/t/new/",
        {"title": "Loops with 2nd graders?", "kind": "question", "focus_area": area.pk, "body": "Any *ideas*?"},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert thread.body_html.strip() == "<p>Any <em>ideas</em>?</p>"
    assert thread.focus_area == area
    assert Subscription.objects.filter(thread=thread, user=member).exists()
    page = client.get(thread.get_absolute_url())
    assert b"Loops with 2nd graders?" in page.content


def test_empty_and_oversized_bodies_get_a_clear_message_and_nothing_is_stored(client, community, member):
    client.force_login(member)
    empty = client.post(f"/c/{community.slug}/t/new/", {"title": "Hi", "kind": "idea", "body": "  "})
    huge = client.post(f"/c/{community.slug}/t/new/", {"title": "Hi", "kind": "idea", "body": "x" * 20_001})
    assert empty.status_code == 400
    assert b"Please write something first." in empty.content
    assert huge.status_code == 400
    assert b"the limit is 20000" in huge.content
    assert not Thread.objects.exists()


def test_script_tags_and_javascript_links_are_rendered_harmless(client, thread, member):
    client.force_login(member)
    body = "<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> [ok](https://e.org)"
    client.post(url("reply", thread), {"body": body})
    html = Post.objects.get().body_html
    assert "<script" not in html
    assert 'href="javascript' not in html
    assert "<img" not in html
    assert 'rel="nofollow ugc noopener"' in html


def test_reply_to_a_reply_nests_under_it(client, thread, member):
    client.force_login(member)
    client.post(url("reply", thread), {"body": "First"})
    first = Post.objects.get()
    client.post(url("reply", thread), {"body": "Second", "parent": first.pk})
    second = Post.objects.get(body="Second")
    assert (second.parent, second.root, second.depth) == (first, first, 1)
    thread.refresh_from_db()
    assert thread.reply_count == 2


def test_reply_to_a_post_of_another_thread_is_refused(client, thread, member):
    other = PostFactory()
    client.force_login(member)
    response = client.post(url("reply", thread), {"body": "Sneaky", "parent": other.pk})
    assert response.status_code == 400
    assert b"only reply to a post in this thread" in response.content
    assert Post.objects.count() == 1


def test_replying_to_a_locked_thread_is_refused(client, thread, member):
    thread.is_locked = True
    thread.save()
    client.force_login(member)
    response = client.post(url("reply", thread), {"body": "Too late"})
    assert response.status_code == 403
    assert not Post.objects.exists()


def test_thread_of_another_community_is_404(client, thread, member):
    other = CommunityFactory()
    MembershipFactory(community=other, user=member)
    client.force_login(member)
    response = client.get(reverse("discussions:thread", kwargs={"slug": other.slug, "thread_id": thread.pk}))
    assert response.status_code == 404


def test_editing_someone_elses_post_is_forbidden(client, thread, member):
    post = PostFactory(thread=thread)
    client.force_login(member)
    response = client.post(url("edit_post", thread, post_id=post.pk), {"body": "Mine now"})
    assert response.status_code == 403
    post.refresh_from_db()
    assert post.body == "Try a dance routine as an algorithm."


def test_edit_keeps_history_and_shows_an_edited_mark(client, thread, member):
    post = PostFactory(thread=thread, author=member)
    client.force_login(member)
    client.post(url("edit_post", thread, post_id=post.pk), {"body": "Better words"})
    assert Revision.objects.get(post=post).body == "Try a dance routine as an algorithm."
    page = client.get(thread.get_absolute_url())
    assert b"edited" in page.content
    assert b"Better words" in page.content
    history = client.get(url("post_history", thread, post_id=post.pk))
    assert b"Try a dance routine as an algorithm." in history.content


def test_deleted_reply_keeps_its_replies_readable(client, thread, member):
    parent = PostFactory(thread=thread, author=member, body="Gone soon", body_html="<p>Gone soon</p>")
    PostFactory(thread=thread, parent=parent, body="Still here", body_html="<p>Still here</p>")
    client.force_login(member)
    client.post(url("delete_post", thread, post_id=parent.pk))
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Deleted by its author" in page
    assert "Still here" in page
    assert "Gone soon" not in page


def test_helpful_toggles_and_counts_once_per_member(client, thread, member):
    post = PostFactory(thread=thread)
    client.force_login(member)
    client.post(url("helpful", thread, post_id=post.pk), HTTP_HX_REQUEST="true")
    post.refresh_from_db()
    assert post.helpful_count == 1
    assert Reaction.objects.count() == 1
    response = client.post(url("helpful", thread, post_id=post.pk), HTTP_HX_REQUEST="true")
    post.refresh_from_db()
    assert post.helpful_count == 0
    assert Reaction.objects.count() == 0
    assert b"Mark as helpful" in response.content


def test_asker_accepts_an_answer_and_it_shows_at_the_top(client, thread, member):
    post = PostFactory(thread=thread, body="Use loops with music", body_html="<p>Use loops with music</p>")
    client.force_login(member)
    client.post(url("accept", thread, post_id=post.pk))
    thread.refresh_from_db()
    assert thread.accepted_post == post
    page = client.get(thread.get_absolute_url()).content.decode()
    assert page.index("Accepted answer") < page.index('id="replies-top"')


def test_accepting_an_answer_on_someone_elses_question_is_forbidden(client, thread, community):
    post = PostFactory(thread=thread)
    other = MembershipFactory(community=community).user
    client.force_login(other)
    assert client.post(url("accept", thread, post_id=post.pk)).status_code == 403
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_posting_too_fast_gets_a_429_with_a_clear_message(client, thread, member, settings):
    settings.POST_RATE_LIMIT = "2/m"
    client.force_login(member)
    for _ in range(2):
        client.post(url("reply", thread), {"body": "Quick"})
    response = client.post(url("reply", thread), {"body": "Too quick"})
    assert response.status_code == 429
    assert b"posting very quickly" in response.content
    assert Post.objects.count() == 2


def test_htmx_reply_returns_just_the_new_post(client, thread, member):
    client.force_login(member)
    response = client.post(url("reply", thread), {"body": "Inline!"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"Inline!" in response.content
    assert b"<html" not in response.content


def test_mention_emails_the_person_if_they_may_see_the_community(
    client, thread, member, community, django_capture_on_commit_callbacks
):
    community.visibility = Community.Visibility.MEMBERS
    community.save()
    friend = MembershipFactory(community=community, user=UserFactory(username="rivera")).user
    MembershipFactory(community=community, user=UserFactory(username="quiet", email_on_mention=False))
    outsider = UserFactory(username="outsider")
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("reply", thread), {"body": "Ask @rivera and @quiet and @outsider and @nobody"})
    to = [m.to[0] for m in mail.outbox]
    assert friend.email in to
    assert outsider.email not in to
    assert "quiet@example.com" not in to
    assert '<a href="/u/rivera/"' in Post.objects.get().body_html


def test_followers_get_a_reply_email_unless_they_turned_it_off(
    client, thread, member, community, django_capture_on_commit_callbacks
):
    other = MembershipFactory(community=community).user
    off = MembershipFactory(community=community, user=UserFactory(email_on_reply=False)).user
    services.set_following(access=access_for(off, community), thread=thread, follow=True)
    services.set_following(access=access_for(member, community), thread=thread, follow=True)
    client.force_login(other)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("reply", thread), {"body": "Here is what worked"})
    assert [m.to for m in mail.outbox] == [[member.email]]
    assert "Here is what worked" in mail.outbox[0].body


def test_reply_email_never_goes_to_a_follower_who_left_a_private_community(
    client, thread, member, community, django_capture_on_commit_callbacks
):
    community.visibility = Community.Visibility.MEMBERS
    community.save()
    stays = MembershipFactory(community=community).user
    for follower in (member, stays):
        services.set_following(access=access_for(follower, community), thread=thread, follow=True)
    member.memberships.all().delete()  # still follows the thread, no longer a member
    client.force_login(MembershipFactory(community=community).user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("reply", thread), {"body": "Secret plans"})
    from notifications import emails  # followers' emails go out when the thread's batch window ends

    emails.send_due(now=timezone.now() + timedelta(hours=1))
    assert [m.to for m in mail.outbox] == [[stays.email]]  # the email step ran, for the one who may see it


def test_reply_email_goes_once_even_if_the_tasks_run_twice(thread, community, django_capture_on_commit_callbacks):
    from notifications import emails

    replier = MembershipFactory(community=community).user
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.create_reply(access=access_for(replier, community), thread=thread, body="Once")
    for callback in callbacks:  # the fan-out and the email task again
        callback()
    assert emails.send_due().sent == []
    assert [m.to for m in mail.outbox] == [[thread.author.email]]


def test_member_flags_a_post_and_moderator_hides_it_from_the_queue(client, thread, member, moderator):
    post = PostFactory(thread=thread, body="Rude words", body_html="<p>Rude words</p>")
    client.force_login(member)
    client.post(url("flag_post", thread, post_id=post.pk), {"reason": "Unkind"})
    assert Flag.objects.get().status == Flag.Status.OPEN
    client.force_login(moderator)
    queue = client.get(f"/c/{thread.community.slug}/moderation/")
    assert b"Unkind" in queue.content
    client.post(url("moderate_post", thread, post_id=post.pk), {"action": "hide", "reason": "Be kind"})
    post.refresh_from_db()
    assert post.is_hidden
    assert Flag.objects.get().status == Flag.Status.ACTIONED
    assert ModerationLogEntry.objects.get().action == "hide"
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Rude words" not in page
    assert "Be kind" in page


def test_member_cannot_moderate(client, thread, member):
    client.force_login(member)
    assert client.post(url("moderate_thread", thread), {"action": "pin"}).status_code == 403


def test_moderator_pins_locks_hides_and_moves_with_a_log(client, thread, moderator, community):
    area = FocusAreaFactory(community=community)
    client.force_login(moderator)
    for data in ({"action": "pin"}, {"action": "lock"}, {"action": "move", "focus_area": area.pk}):
        assert client.post(url("moderate_thread", thread), data).status_code == 302
    assert client.post(url("moderate_thread", thread), {"action": "hide"}).status_code == 400
    client.post(url("moderate_thread", thread), {"action": "hide", "reason": "Duplicate"})
    thread.refresh_from_db()
    assert thread.is_pinned
    assert thread.is_locked
    assert thread.is_hidden
    assert thread.focus_area == area
    log = client.get(f"/c/{community.slug}/moderation/log/")
    assert log.content.count(b"<tr>") == 5


def test_hidden_thread_is_404_for_members(client, thread, community):
    thread.is_hidden = True
    thread.save()
    client.force_login(MembershipFactory(community=community).user)
    assert client.get(thread.get_absolute_url()).status_code == 404


def test_list_filters_unanswered_questions(client, community, member):
    answered = ThreadFactory(community=community, title="Answered one")
    answered.accepted_post = PostFactory(thread=answered)
    answered.save()
    ThreadFactory(community=community, title="Open one")
    ThreadFactory(community=community, title="A success", kind="success")
    client.force_login(member)
    page = client.get(f"/c/{community.slug}/t/?sort=unanswered").content.decode()
    assert "Open one" in page
    assert "Answered one" not in page
    assert "A success" not in page


def test_similar_threads_appear_while_typing_a_title(client, community, member):
    ThreadFactory(community=community, title="Teaching loops with music")
    client.force_login(member)
    response = client.get(f"/c/{community.slug}/t/similar/?title=loops", HTTP_HX_REQUEST="true")
    assert b"Teaching loops with music" in response.content


def test_preview_renders_markdown_without_posting(client, community, member):
    client.force_login(member)
    response = client.post(f"/c/{community.slug}/t/preview/", {"body": "**bold**"}, HTTP_HX_REQUEST="true")
    assert b"<strong>bold</strong>" in response.content
    assert not Thread.objects.exists()


def test_post_link_goes_to_the_right_page_and_anchor(client, thread, member):
    posts = [PostFactory(thread=thread) for _ in range(21)]
    client.force_login(member)
    response = client.get(url("post_link", thread, post_id=posts[-1].pk))
    assert response["Location"].endswith(f"?page=2#post-{posts[-1].pk}")


def test_create_thread_service_checks_membership(community):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_thread(author=UserFactory(), community=community, title="x", body="y", kind="idea")


def test_flagging_a_thread_opening_twice_keeps_one_open_flag(client, thread, member):
    from django.db import IntegrityError, transaction

    client.force_login(member)
    for _ in range(2):
        client.post(url("flag_thread", thread), {"reason": "Off topic"})
    assert Flag.objects.filter(thread=thread, post=None).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the line too
        Flag.objects.create(community=thread.community, thread=thread, reporter=member, reason="Again")


def test_a_mention_inside_code_emails_nobody(community, member, mailoutbox, django_capture_on_commit_callbacks):
    MembershipFactory(community=community, user=UserFactory(username="kim"))
    lee = MembershipFactory(community=community, user=UserFactory(username="lee")).user
    access = access_for(member, community)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        thread = services.create_thread(
            author=member,
            community=community,
            title="Code sample",
            body="Run `notify @kim` here, then ask @lee",
            kind="question",
            access=access,
        )
    assert callbacks, "the mention emails are sent after the commit"
    assert "/u/kim/" not in thread.body_html
    # The email step did run: @lee, outside the code, was emailed; @kim, inside it, was not.
    assert [m.to for m in mailoutbox] == [[lee.email]]
