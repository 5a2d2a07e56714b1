"""What the thread page shows its reader comes with the thread and the replies (issue 19): the
accepted answer, following, the reading position and helpful marks add no query, and each reader
sees their own."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import resolve, reverse

from discussions.models import Reaction, ReadMark, Subscription, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PAGE_QUERIES = 9  # as test_search_and_speed.test_thread_page_of_1000_posts_runs_a_fixed_number_of_queries


@pytest.fixture
def answered(community, member):
    thread = ThreadFactory(community=community, author=member, kind=Thread.Kind.QUESTION)
    answer = PostFactory(thread=thread, body_html="<p>Pair them up</p>")
    first = PostFactory(thread=thread, body_html="<p>Read before</p>")
    PostFactory(thread=thread, parent=first, body_html="<p>A new answer</p>")
    Thread.objects.filter(pk=thread.pk).update(accepted_post=answer)
    return thread, answer, first


def test_a_reader_sees_the_answer_their_follow_position_and_marks_in_a_fixed_number_of_queries(
    client, community, member, answered, assert_num_queries_exact
):
    thread, answer, first = answered
    Subscription.objects.create(thread=thread, user=member)
    ReadMark.objects.create(thread=thread, user=member, upto=first.pk)
    Reaction.objects.create(post=answer, user=member, kind=Reaction.Kind.HELPFUL)
    client.force_login(member)
    with assert_num_queries_exact(PAGE_QUERIES):
        page = client.get(thread.get_absolute_url()).content.decode()
    assert "Accepted answer" in page
    assert answer.get_absolute_url() in page  # "go to the reply"
    assert "Unfollow" in page
    assert "Jump to first unread (1 new)" in page
    assert f'id="helpful-{answer.pk}-button" class="btn btn-sm btn-success"' in page
    assert f'id="helpful-{first.pk}-button" class="btn btn-sm btn-outline-success"' in page


def test_another_reader_sees_none_of_the_first_readers_state(client, community, member, answered):
    thread, answer, first = answered
    Subscription.objects.create(thread=thread, user=member)
    ReadMark.objects.create(thread=thread, user=member, upto=first.pk)
    Reaction.objects.create(post=answer, user=member, kind=Reaction.Kind.HELPFUL)
    client.force_login(MembershipFactory(community=community).user)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert ">Follow</button>" in page.replace('aria-hidden="true"></svg>', "")
    assert "Jump to first unread" not in page
    assert "btn-success" not in page
    client.logout()
    visitor = client.get(thread.get_absolute_url()).content.decode()
    assert "Mark as read" not in visitor
    assert "btn-success" not in visitor


def test_the_second_page_shows_its_own_replies(client, community, member):
    thread = ThreadFactory(community=community)
    tops = [PostFactory(thread=thread, body_html=f"<p>top {n}</p>") for n in range(23)]
    PostFactory(thread=thread, parent=tops[21], body_html="<p>under 21</p>")
    client.force_login(member)
    second = client.get(thread.get_absolute_url() + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    for shown in ("<p>top 20</p>", "<p>under 21</p>", "<p>top 22</p>"):
        assert shown in second
    assert "<p>top 19</p>" not in second
    past_the_end = client.get(thread.get_absolute_url() + "?page=9").content.decode()
    assert "Page 2 of 2" in past_the_end


def test_a_hidden_thread_is_404_for_members_and_shown_to_moderators(client, community, member, moderator):
    thread = ThreadFactory(community=community, is_hidden=True)
    client.force_login(member)
    assert client.get(thread.get_absolute_url()).status_code == 404
    client.force_login(moderator)
    assert client.get(thread.get_absolute_url()).status_code == 200
    other = ThreadFactory()
    url = reverse("discussions:thread", kwargs={"slug": community.slug, "thread_id": other.pk})
    assert client.get(url).status_code == 404


def test_every_icon_a_reply_uses_is_drawn_once_on_the_page(client, community, member, answered):
    thread, answer, _first = answered
    Reaction.objects.create(post=answer, user=member, kind=Reaction.Kind.HELPFUL)
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    used = set(re.findall(r'<use href="#(icon-symbol-[a-z0-9-]+)">', page))
    drawn = re.findall(r'<symbol id="(icon-symbol-[a-z0-9-]+)"', page)
    assert {"icon-symbol-reply", "icon-symbol-hand-thumbs-up-fill", "icon-symbol-check2-circle"} <= used
    assert used <= set(drawn)
    assert len(drawn) == len(set(drawn))
    # Replies htmx adds later (a new reply, a helpful button's new state) use the page's drawings too.
    templates = Path(settings.BASE_DIR, "templates/discussions")
    in_replies = {
        name
        for template in ("includes/post.html", "includes/helpful_button.html")
        for name in re.findall(r'{% icon_use "([a-z0-9-]+)"', (templates / template).read_text())
    }
    assert {f"icon-symbol-{name}" for name in in_replies} <= set(drawn)


def test_every_link_and_form_of_the_page_goes_to_a_page_of_this_thread(client, community, member, moderator, answered):
    """The thread's links are built from one reversed prefix: each must still resolve to the view it names."""
    thread, _answer, first = answered
    Thread.objects.filter(pk=thread.pk).update(edited_at=thread.created_at)
    PostFactory(thread=thread, parent=first, author=member)
    ReadMark.objects.create(thread=thread, user=member, upto=first.pk)
    seen = set()
    for viewer in (member, moderator):
        client.force_login(viewer)
        page = client.get(thread.get_absolute_url()).content.decode()
        for url in re.findall(r'(?:href|action|data-hx-post|data-mention-url)="(/c/[^"?#]*)', page):
            match = resolve(url)
            seen.add(match.url_name)
            if url == "/c/":  # the directory
                continue
            assert match.kwargs["slug"] == community.slug, url
            if "thread_id" in match.kwargs:
                assert match.kwargs["thread_id"] == thread.pk, url
    expected = {"reply", "preview", "follow", "flag_thread", "edit_thread", "thread_history", "mark_read"}
    expected |= {"post_link", "helpful", "flag_post", "moderate_thread", "moderate_post", "mention_candidates"}
    assert expected <= seen


def test_each_reply_form_has_its_own_fresh_submission_key_and_the_pages_token(client, community, member, answered):
    thread, _answer, _first = answered
    client.force_login(member)
    pages = [client.get(thread.get_absolute_url()).content.decode() for _ in range(2)]
    keys = [re.findall(r'name="submission" value="([0-9a-f]{32})"', page) for page in pages]
    assert [len(found) for found in keys] == [2, 2]  # the thread's form and the template each reply copies
    assert len({*keys[0], *keys[1]}) == 4  # new on every page, and the form's own is not the template's
    for page in pages:
        forms = re.findall(r'<form method="post" class="reply-form.*?</form>', page, re.S)
        assert len(forms) == 2
        for form in forms:
            assert re.search(r'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', form)
        assert "placeholder0" not in page


def test_a_previewed_reply_keeps_its_text_in_the_form(client, community, member, answered):
    thread, _answer, _first = answered
    client.force_login(member)
    url = reverse("discussions:reply", kwargs={"slug": community.slug, "thread_id": thread.pk})
    page = client.post(url, {"body": "Try **pairs** first", "preview": "1", "submission": "a" * 32}).content.decode()
    assert "<strong>pairs</strong>" in page
    assert ">Try **pairs** first</textarea>" in page
    assert 'name="submission" value="' + "a" * 32 + '"' in page
