"""Unread tracking on the discussion list (issue 17, item 7): new replies per thread, "New" threads, jump to unread.

The reading position is written by a POST the thread page sends once loaded, never inside its GET.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community
from discussions.models import Post, ReadMark, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def list_page(client, community):
    return client.get(reverse("discussions:list", kwargs={"slug": community.slug})).content.decode()


def row_of(page, title):
    """The list item of the thread called ``title`` (its badges come before the title)."""
    return next(row for row in page.split("<li") if f">{title}</a>" in row).split("</li>")[0]


def read_url(thread):
    return reverse("discussions:mark_read", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})


def mark(client, thread, upto, **headers):
    return client.post(read_url(thread), {"upto": str(upto)}, **headers)


def test_a_thread_never_opened_is_new_and_my_own_is_not(client, community, member):
    ThreadFactory(community=community, title="Someone else asks")
    ThreadFactory(community=community, author=member, title="I asked")
    client.force_login(member)
    page = list_page(client, community)
    assert ">New</span>" in row_of(page, "Someone else asks")
    assert ">New</span>" not in row_of(page, "I asked")


def test_replies_since_i_last_read_are_counted_but_not_mine_or_removed_ones(client, community, member):
    thread = ThreadFactory(community=community, title="Loops")
    seen = PostFactory(thread=thread)
    client.force_login(member)
    assert mark(client, thread, seen.pk, HTTP_HX_REQUEST="true").status_code == 200
    assert "new repl" not in row_of(list_page(client, community), "Loops")
    PostFactory(thread=thread)
    PostFactory(thread=thread)
    PostFactory(thread=thread, author=member)  # my own reply is not news to me
    PostFactory(thread=thread, is_deleted=True)
    PostFactory(thread=thread, is_hidden=True)
    row = row_of(list_page(client, community), "Loops")
    assert "2 new replies" in row
    assert ">New</span>" not in row


def test_visitors_see_no_read_marks(client):
    community = CommunityFactory()
    ThreadFactory(community=community, title="Open talk")
    row = row_of(list_page(client, community), "Open talk")
    assert ">New</span>" not in row


def test_the_thread_page_writes_nothing_and_its_form_records_the_position(client, community, member):
    thread = ThreadFactory(community=community)
    posts = [PostFactory(thread=thread) for _ in range(3)]
    client.force_login(member)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(thread.get_absolute_url()).content.decode()
    writes = [q["sql"] for q in captured.captured_queries if q["sql"].split()[0].upper() in ("INSERT", "UPDATE")]
    assert writes == []
    assert not ReadMark.objects.exists()
    # The page carries the form htmx sends on load (and a button without JavaScript), up to its newest post.
    form = page.split('id="mark-read"')[0].rsplit("<form", 1)[1]
    assert f'data-hx-post="{read_url(thread)}"' in form
    assert 'data-hx-trigger="load"' in form
    assert f'name="upto" value="{posts[-1].pk}"' in page
    response = mark(client, thread, posts[-1].pk)
    assert response.status_code == 302
    assert response["Location"] == thread.get_absolute_url()
    assert ReadMark.objects.get(user=member, thread=thread).upto == posts[-1].pk


def test_jump_to_first_unread_leads_to_the_first_new_reply(client, community, member):
    thread = ThreadFactory(community=community)
    seen = PostFactory(thread=thread)
    client.force_login(member)
    page = client.get(thread.get_absolute_url()).content.decode()
    assert "Jump to first unread" not in page  # a first visit: everything is in front of you
    mark(client, thread, seen.pk)
    first_new, _second = PostFactory(thread=thread), PostFactory(thread=thread)
    page = client.get(thread.get_absolute_url()).content.decode()
    link = reverse(
        "discussions:post_link", kwargs={"slug": community.slug, "thread_id": thread.pk, "post_id": first_new.pk}
    )
    assert f'href="{link}">Jump to first unread (2 new)' in page
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#post-{first_new.pk}")


def test_the_position_only_moves_forward(client, community, member):
    thread = ThreadFactory(community=community)
    early, late = PostFactory(thread=thread), PostFactory(thread=thread)
    client.force_login(member)
    mark(client, thread, late.pk)
    mark(client, thread, early.pk)  # an old tab reloaded
    mark(client, thread, 0)
    assert ReadMark.objects.get(user=member, thread=thread).upto == late.pk


@pytest.mark.parametrize("upto", ["", "abc", "-3", "1" * 40, "1.5"])
def test_a_bad_position_is_refused_with_a_message(client, community, member, upto):
    thread = ThreadFactory(community=community)
    client.force_login(member)
    response = client.post(read_url(thread), {"upto": upto})
    assert response.status_code == 400
    assert "Say which reply you have read up to." in response.content.decode()
    assert not ReadMark.objects.exists()


def test_a_reply_of_another_thread_is_refused(client, community, member):
    thread, other = ThreadFactory(community=community), ThreadFactory(community=community)
    elsewhere = PostFactory(thread=other)
    client.force_login(member)
    response = mark(client, thread, elsewhere.pk)
    assert response.status_code == 400
    assert "That reply is not in this thread." in response.content.decode()


def test_a_thread_of_another_community_is_404(client, community, member):
    other = ThreadFactory(community=CommunityFactory())
    client.force_login(member)
    url = reverse("discussions:mark_read", kwargs={"slug": community.slug, "thread_id": other.pk})
    assert client.post(url, {"upto": "0"}).status_code == 404


def test_outsiders_and_visitors_cannot_record_a_position_in_a_private_community(client):
    private = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    thread = ThreadFactory(community=private)
    response = mark(client, thread, 0)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    client.force_login(UserFactory())
    assert mark(client, thread, 0).status_code in (403, 404)
    assert client.get(read_url(thread)).status_code == 405
    assert not ReadMark.objects.exists()


def test_the_list_runs_the_same_queries_with_300_threads_half_read(client, community, member, assert_num_queries_exact):
    client.force_login(member)
    writer = UserFactory()
    few = ThreadFactory.create_batch(3, community=community)
    for thread in few:
        PostFactory(thread=thread, author=writer)
    with assert_num_queries_exact(LIST_QUERIES):
        client.get(reverse("discussions:list", kwargs={"slug": community.slug}))
    threads = Thread.objects.bulk_create(
        [Thread(community=community, author=UserFactory(), title=f"T{n}", body="b") for n in range(300)]
    )
    Post.objects.bulk_create(
        [Post(thread=t, community=community, author=writer, body="r") for t in threads for _ in range(2)]
    )
    ReadMark.objects.bulk_create([ReadMark(user=member, thread=t, upto=0) for t in threads[::2] + few])
    with assert_num_queries_exact(LIST_QUERIES):
        page = client.get(reverse("discussions:list", kwargs={"slug": community.slug})).content.decode()
    assert page.count("2 new replies") + page.count(">New</span>") == 25


# As pinned in test_search_and_speed (the list is one statement): the read state adds none.
LIST_QUERIES = 6


def test_marking_read_is_for_members_who_may_see_it(client, community):
    outsider = MembershipFactory(community=CommunityFactory()).user
    thread = ThreadFactory(community=community)  # a public community: anyone logged in may keep their place
    client.force_login(outsider)
    assert mark(client, thread, 0).status_code == 302
    assert ReadMark.objects.filter(user=outsider).count() == 1
