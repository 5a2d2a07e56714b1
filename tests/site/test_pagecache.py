"""The whole-page cache (core/pagecache.py): hits are cheap, writes show at once, nothing crosses accounts."""

import re
import zoneinfo

import pytest
from django.test import Client
from django.urls import reverse

from communities.models import Community, Membership
from discussions.models import Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


def _client(user=None, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _thread_url(thread):
    return reverse("discussions:thread", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})


def test_second_anonymous_visit_is_a_hit_with_almost_no_queries(django_assert_max_num_queries):
    thread = ThreadFactory(title="Loops with a dance routine")
    PostFactory.create_batch(5, thread=thread)
    url = _thread_url(thread)
    first = _client().get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_max_num_queries(0):
        second = _client().get(url)
    assert second["X-Page-Cache"] == "hit"
    token = re.compile(rb"[a-zA-Z0-9]{64}")  # each visitor gets their own CSRF token; the rest is the same page
    assert token.sub(b"", second.content) == token.sub(b"", first.content)
    assert "Loops with a dance routine" in second.content.decode()


def test_a_member_hit_costs_only_the_session_user(django_assert_max_num_queries):
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    client = _client(member)
    client.get(_thread_url(thread))
    with django_assert_max_num_queries(1):  # the user row; the session comes from the cache
        response = client.get(_thread_url(thread))
    assert response["X-Page-Cache"] == "hit"


def test_a_reply_through_the_site_shows_at_once():
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    client, visitor = _client(member), _client()
    client.get(_thread_url(thread))
    visitor.get(_thread_url(thread))
    url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    assert client.post(url, {"body": "Pair programming with timers works."}).status_code == 302
    assert "Pair programming with timers works." in client.get(_thread_url(thread)).content.decode()
    seen = visitor.get(_thread_url(thread))
    assert seen["X-Page-Cache"] == "miss"
    assert "Pair programming with timers works." in seen.content.decode()


def test_a_change_made_outside_a_request_shows_at_once():
    community = CommunityFactory()
    url = reverse("discussions:list", kwargs={"slug": community.slug})
    visitor = _client()
    visitor.get(url)
    assert visitor.get(url)["X-Page-Cache"] == "hit"
    ThreadFactory(community=community, title="Written by a Celery task")  # no request: the save signal bumps
    assert "Written by a Celery task" in visitor.get(url).content.decode()


def test_a_change_in_another_community_keeps_this_page_cached():
    thread = ThreadFactory()
    visitor = _client()
    visitor.get(_thread_url(thread))
    ThreadFactory(community=CommunityFactory())
    assert visitor.get(_thread_url(thread))["X-Page-Cache"] == "hit"


def test_one_accounts_page_is_never_served_to_another_or_to_a_visitor():
    thread = ThreadFactory()
    alice = MembershipFactory(community=thread.community, user=UserFactory(display_name="Alice Marker")).user
    bob = MembershipFactory(community=thread.community, user=UserFactory(display_name="Bob Other")).user
    assert "Alice Marker" in _client(alice).get(_thread_url(thread)).content.decode()
    for client in (_client(bob), _client()):
        response = client.get(_thread_url(thread))
        assert response["X-Page-Cache"] == "miss"
        assert "Alice Marker" not in response.content.decode()


def test_leaving_a_members_only_community_closes_its_cached_pages():
    community = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    thread = ThreadFactory(community=community, title="Members-only marker")
    member = MembershipFactory(community=community).user
    client = _client(member)
    assert "Members-only marker" in client.get(_thread_url(thread)).content.decode()
    Membership.objects.filter(user=member, community=community).delete()  # e.g. removed in the admin
    response = client.get(_thread_url(thread))
    assert response.status_code in (403, 404)
    assert "Members-only marker" not in response.content.decode()


def test_a_cached_page_carries_the_viewers_own_working_csrf_token():
    thread = ThreadFactory()
    community = thread.community
    first, second = (MembershipFactory(community=community).user for _ in range(2))
    _client(first, enforce_csrf_checks=True).get(_thread_url(thread))
    client = _client(second, enforce_csrf_checks=True)
    client.get(_thread_url(thread))  # the second member's own entry: stored with a placeholder
    page = client.get(_thread_url(thread))
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert "__csrf_token_placeholder__" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    url = reverse("discussions:reply", kwargs={"slug": community.slug, "thread_id": thread.pk})
    response = client.post(url, {"body": "Posted from a cached page.", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert thread.posts.filter(body="Posted from a cached page.").exists()


def test_a_page_with_a_message_to_show_is_neither_served_from_nor_stored_in_the_cache():
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    client = _client(member)
    client.get(_thread_url(thread))
    url = reverse("discussions:follow", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    followed = client.post(url, {"follow": "1"}, follow=True)
    assert followed.redirect_chain
    assert "X-Page-Cache" not in followed
    assert b"alert" in followed.content  # the flash message is shown, not swallowed by a cached page
    assert client.get(_thread_url(thread))["X-Page-Cache"] == "miss"


def test_each_time_zone_gets_its_own_entry():
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    client = _client(member)
    client.get(_thread_url(thread))
    member.time_zone = "Asia/Tokyo"
    member.save(update_fields=["time_zone"])
    response = client.get(_thread_url(thread))
    assert response["X-Page-Cache"] == "miss"
    local = thread.created_at.astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert f"{local:%Y-%m-%dT%H:%M}" in response.content.decode()


def test_search_and_site_home_are_cached_and_see_new_posts():
    thread = ThreadFactory(title="Rubric for robot projects")
    member = MembershipFactory(community=thread.community).user
    client = _client(member)
    url = reverse("discussions:search") + "?q=gradebook"
    assert "Gradebook tips" not in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"
    Thread.objects.create(
        community=thread.community, author=member, title="Gradebook tips", body="Gradebook", body_html="<p>G</p>"
    )
    assert "Gradebook tips" in client.get(url).content.decode()
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_turned_off_with_zero_seconds(settings):
    settings.PAGE_CACHE_SECONDS = 0
    thread = ThreadFactory()
    client = _client()
    client.get(_thread_url(thread))
    assert "X-Page-Cache" not in client.get(_thread_url(thread))
