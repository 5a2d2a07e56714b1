import pytest
from django.urls import reverse

from communities.models import Community
from discussions.models import Post, Thread
from discussions.selectors import most_helpful_threads, unanswered_questions_for
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_search_finds_a_thread_by_a_word_in_a_reply(client, community):
    thread = ThreadFactory(community=community, title="Starting robotics club")
    PostFactory(thread=thread, body="We bought micro:bits with the grant money")
    response = client.get("/search/?q=grant")
    assert response.status_code == 200
    assert b"Starting robotics club" in response.content
    assert b"<mark>grant</mark>" in response.content


def test_search_ranks_title_matches_above_body_matches(client, community):
    ThreadFactory(community=community, title="Other topic", body="fractions fractions in the body")
    ThreadFactory(community=community, title="Fractions with pizza", body="A lesson")
    content = client.get("/search/?q=fractions").content.decode()
    assert content.index("Fractions with pizza") < content.index("Other topic")


def test_search_never_shows_members_only_or_hidden_content_to_outsiders(client):
    for visibility in (Community.Visibility.MEMBERS, Community.Visibility.HIDDEN):
        secret = CommunityFactory(visibility=visibility)
        thread = ThreadFactory(community=secret, title=f"Confidential {visibility} budget")
        PostFactory(thread=thread, body="Confidential staffing")
    client.force_login(UserFactory())
    content = client.get("/search/?q=confidential").content.decode()
    assert "budget" not in content
    assert "staffing" not in content


def test_search_shows_private_content_to_members(client):
    secret = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    ThreadFactory(community=secret, title="Confidential budget")
    client.force_login(MembershipFactory(community=secret).user)
    assert b"Confidential budget" in client.get("/search/?q=confidential").content


def test_search_skips_hidden_threads_and_posts(client, community):
    ThreadFactory(community=community, title="Hidden fractions", is_hidden=True)
    PostFactory(thread=ThreadFactory(community=community), body="fractions removed", is_hidden=True)
    content = client.get("/search/?q=fractions").content.decode()
    assert "0 results" in content


def test_search_filters_by_community_kind_and_author(client, community):
    author = UserFactory(username="rivera")
    ThreadFactory(community=community, title="Loops success", kind="success", author=author)
    ThreadFactory(community=community, title="Loops question", kind="question")
    content = client.get(f"/search/?q=loops&community={community.slug}&kind=success&author=rivera").content.decode()
    assert "Loops success" in content
    assert "Loops question" not in content


@pytest.mark.parametrize("query", ["x" * 10_000, "!!! ??? ... %%% '\"", "a & | ! ( ) : *", "<script>"])
def test_odd_search_queries_give_harmless_answers(client, community, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code in (200, 400)
    assert b"<script>" not in response.content.split(b"</header>")[1]


def test_thread_list_of_500_threads_runs_a_fixed_number_of_queries(client, community, member, assert_num_queries_exact):
    area = FocusAreaFactory(community=community)
    threads = Thread.objects.bulk_create(
        [
            Thread(community=community, author=member, title=f"T{n}", body="b", kind="question", focus_area=area)
            for n in range(500)
        ]
    )
    repliers = [UserFactory() for _ in range(5)]
    Post.objects.bulk_create(
        [
            Post(thread=thread, community=community, author=repliers[(n + k) % 5], body="r")
            for n, thread in enumerate(threads)
            for k in range(4)
        ]
    )
    client.force_login(member)
    # The session, the user, the community, the membership, the list itself (its counts, rows,
    # read state, last repliers and the form's focus areas in one statement:
    # discussions.selectors.thread_list_page) and the bell's count.
    with assert_num_queries_exact(6):
        response = client.get(f"/c/{community.slug}/t/?sort=helpful&page=3")
    assert response.status_code == 200
    assert response.content.count(b"thread-row") == 25
    assert response.content.count(b'<span class="avatar avatar-sm avatar-c') == 25 * 3 + 1  # and the header's


def test_thread_page_of_1000_posts_runs_a_fixed_number_of_queries(client, community, member, assert_num_queries_exact):
    thread = ThreadFactory(community=community, author=member)
    authors = [UserFactory() for _ in range(5)]
    tops = Post.objects.bulk_create(
        [Post(thread=thread, community=community, author=authors[n % 5], body="top") for n in range(200)]
    )
    rows = []
    for n, top in enumerate(tops):
        for depth in range(1, 5):
            rows.append(
                Post(thread=thread, community=community, author=authors[n % 5], root=top, depth=depth, body="deep")
            )
    children = Post.objects.bulk_create(rows)
    # Chain the parents: each level answers the one above it.
    for index, post in enumerate(children):
        post.parent_id = tops[index // 4].pk if post.depth == 1 else children[index - 1].pk
    Post.objects.bulk_update(children, ["parent"])
    assert Post.objects.filter(thread=thread).count() == 1000
    client.force_login(member)
    # Session, user, community, membership; the thread with the reader's position, follow and count of
    # top-level replies (discussions.selectors.thread_for_reader); the page's top-level replies, then their
    # replies, each with the reader's helpful mark; the thread's polls; the bell.
    with assert_num_queries_exact(9):
        response = client.get(thread.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b'class="post depth-') == 20 * 5


def test_unanswered_questions_for_focus_areas_i_lead_or_follow(community, member):
    led, followed, other = (FocusAreaFactory(community=community) for _ in range(3))
    led.leaders.add(member)
    followed.followers.add(member)
    a = ThreadFactory(community=community, focus_area=led, title="Led")
    b = ThreadFactory(community=community, focus_area=followed, title="Followed")
    ThreadFactory(community=community, focus_area=other, title="Other")
    ThreadFactory(community=community, focus_area=led, kind="success")
    PostFactory(thread=ThreadFactory(community=community, focus_area=led))
    assert {t.pk for t in unanswered_questions_for(user=member)} == {a.pk, b.pk}


def test_most_helpful_threads_counts_reactions_in_the_period(community):
    from datetime import timedelta

    from django.utils import timezone

    from discussions.models import Reaction

    now = timezone.now()
    popular, quiet = ThreadFactory(community=community), ThreadFactory(community=community)
    for thread, count in ((popular, 3), (quiet, 1)):
        post = PostFactory(thread=thread)
        for _ in range(count):
            Reaction.objects.create(post=post, user=UserFactory())
    old = PostFactory(thread=quiet)
    Reaction.objects.create(post=old, user=UserFactory(), created_at=now - timedelta(days=60))
    result = list(
        most_helpful_threads(communities=[community], since=now - timedelta(days=30), until=now + timedelta(1))
    )
    assert [(t.pk, t.helpful_in_period) for t in result] == [(popular.pk, 3), (quiet.pk, 1)]


def test_community_home_shows_recent_threads(client, community):
    ThreadFactory(community=community, title="Fresh thread")
    assert b"Fresh thread" in client.get(reverse("communities:home", kwargs={"slug": community.slug})).content


def test_search_ranks_only_the_newest_matches_and_says_so(client, community, monkeypatch):
    from discussions import selectors

    monkeypatch.setattr(selectors, "SEARCH_CANDIDATES", 3)
    for n in range(5):
        ThreadFactory(community=community, title=f"Gradebook habit {n}")
    content = client.get("/search/?q=gradebook").content.decode()
    assert "The 3 newest matches" in content
    assert "Narrow by community" in content
    assert "Gradebook habit 4" in content
    assert "Gradebook habit 0" not in content
    few = client.get(f"/search/?q=gradebook&author={ThreadFactory._meta.model.objects.last().author.username}")
    assert "1 result for" in few.content.decode()


def test_thread_page_sends_one_reply_form_however_many_posts(client, community, thread, member):
    PostFactory.create_batch(40, thread=thread)
    client.force_login(member)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert content.count('class="reply-form') == 2  # the thread's form and the template copied under a post
    assert content.count('class="reply-details"') == 20  # one Reply per post on the page (20 per page)


def test_reply_to_a_post_without_javascript(client, community, thread, member):
    post = PostFactory(thread=thread, author=UserFactory(display_name="Rosa Parks Teacher"))
    client.force_login(member)
    content = client.get(f"{thread.get_absolute_url()}?reply_to={post.pk}").content.decode()
    assert "Reply to Rosa Parks Teacher" in content
    assert f'name="parent" value="{post.pk}"' in content
    other = PostFactory(thread=ThreadFactory(community=community))  # a post of another thread is ignored
    content = client.get(f"{thread.get_absolute_url()}?reply_to={other.pk}").content.decode()
    assert "Reply to the thread" in content
    assert f'value="{other.pk}"' not in content
    assert client.get(f"{thread.get_absolute_url()}?reply_to=abc").status_code == 200


def test_visitors_see_helpful_counts_without_a_form(client, community, thread):
    PostFactory(thread=thread, helpful_count=3)
    content = client.get(thread.get_absolute_url()).content.decode()
    assert "3 found this helpful" in content
    assert "helpful-form" not in content
