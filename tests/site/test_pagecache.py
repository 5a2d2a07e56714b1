"""The visitors' page cache (core/pagecache.py): cheap hits, nothing personal, nothing to abuse."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from communities.models import Community
from communities.permissions import community_view
from core.pagecache import cached_page
from discussions.models import Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.notifications.test_pages import make as make_notifications

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


def _client(user=None, **kwargs):
    client = Client(**kwargs)
    if user is not None:
        client.force_login(user)
    return client


def _thread_url(thread):
    return reverse("discussions:thread", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})


def _page_entries():
    return list(cache._cache.get_client().keys("*pagecache:p:*"))


def test_second_visit_is_a_hit_that_costs_only_the_visibility_check(assert_num_queries_exact):
    thread = ThreadFactory(title="Loops with a dance routine")
    PostFactory.create_batch(5, thread=thread)
    url = _thread_url(thread)
    first = _client().get(url)
    assert first["X-Page-Cache"] == "miss"
    with assert_num_queries_exact(1):  # the community row: community_view runs on every hit
        second = _client().get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert "Loops with a dance routine" in second.content.decode()


@pytest.mark.parametrize(
    "name",
    ["communities:home", "communities:members", "discussions:list", "resources:library", "calendar_app:month"],
)
def test_the_busy_public_pages_are_cached_for_visitors(name):
    community = CommunityFactory()
    url = reverse(name, kwargs={"slug": community.slug})
    _client().get(url)
    assert _client().get(url)["X-Page-Cache"] == "hit"


def test_site_pages_are_cached_for_visitors():
    ThreadFactory(title="Rubric for robot projects")
    for url in ("/", reverse("communities:directory"), reverse("discussions:search") + "?q=rubric"):
        _client().get(url)
        assert _client().get(url)["X-Page-Cache"] == "hit", url


def test_a_logged_in_page_is_never_cached():
    thread = ThreadFactory(title="Members talk")
    member = MembershipFactory(community=thread.community, user=UserFactory(display_name="Alice Marker")).user
    client = _client(member)
    for _ in range(2):
        response = client.get(_thread_url(thread))
        assert "X-Page-Cache" not in response
    assert "Alice Marker" in response.content.decode()
    assert _page_entries() == []
    visitor = _client().get(_thread_url(thread))
    assert visitor["X-Page-Cache"] == "miss"
    assert "Alice Marker" not in visitor.content.decode()


def test_a_visitor_with_a_session_is_not_served_from_the_cache():
    thread = ThreadFactory()
    _client().get(_thread_url(thread))
    with_session = _client()
    session = with_session.session
    session["something"] = "kept"
    session.save()
    with_session.cookies["sessionid"] = session.session_key
    assert "X-Page-Cache" not in with_session.get(_thread_url(thread))


def test_a_cached_page_holds_no_csrf_token():
    thread = ThreadFactory()
    page = _client(enforce_csrf_checks=True).get(_thread_url(thread))
    assert page["X-Page-Cache"] == "miss"
    assert b"csrfmiddlewaretoken" not in page.content
    assert b"X-CSRFToken" not in page.content
    assert "csrftoken" not in page.cookies  # nothing on the page asked for a token


def test_a_page_that_used_the_csrf_token_is_not_stored():
    @cached_page(community=False)
    def with_token(request):
        return HttpResponse(f"token {get_token(request)}")

    for _ in range(2):
        request = RequestFactory().get("/with-token/")
        request.user = AnonymousUser()
        assert "X-Page-Cache" not in with_token(request)
    assert _page_entries() == []


def test_a_reply_that_looks_like_the_old_placeholder_is_shown_as_written():
    thread = ThreadFactory()
    PostFactory(
        thread=thread, body="`__csrf_token_placeholder__`", body_html="<p><code>__csrf_token_placeholder__</code></p>"
    )
    _client().get(_thread_url(thread))
    hit = _client().get(_thread_url(thread))
    assert hit["X-Page-Cache"] == "hit"
    assert "<code>__csrf_token_placeholder__</code>" in hit.content.decode()
    assert not re.search(rb"[a-zA-Z0-9]{64}", hit.content)


def test_the_key_carries_scheme_and_host():
    thread = ThreadFactory()
    url = _thread_url(thread)
    _client().get(url, HTTP_HOST="localhost")
    assert _client().get(url, HTTP_HOST="127.0.0.1")["X-Page-Cache"] == "miss"
    assert _client().get(url, HTTP_HOST="localhost", secure=True)["X-Page-Cache"] == "miss"
    assert _client().get(url, HTTP_HOST="localhost")["X-Page-Cache"] == "hit"


def test_unknown_query_parameters_share_one_entry_and_change_nothing():
    thread = ThreadFactory()
    url = _thread_url(thread)
    bare = _client().get(url)
    for n in range(20):
        response = _client().get(f"{url}?utm={n}&next=/evil/")
        assert response["X-Page-Cache"] == "hit"
        assert b"utm" not in response.content
        assert b"evil" not in response.content
    assert len(_page_entries()) == 1
    assert bare.content == _client().get(url + "?utm=x").content


def test_known_parameters_make_their_own_entries():
    community = CommunityFactory()
    url = reverse("discussions:list", kwargs={"slug": community.slug})
    _client().get(url + "?sort=latest")
    assert _client().get(url + "?sort=unanswered")["X-Page-Cache"] == "miss"
    assert _client().get(url + "?sort=latest&utm=1")["X-Page-Cache"] == "hit"


def test_a_huge_query_value_is_not_cached():
    community = CommunityFactory()
    url = reverse("discussions:list", kwargs={"slug": community.slug}) + "?page=" + "9" * 500
    _client().get(url)
    assert "X-Page-Cache" not in _client().get(url)
    assert _page_entries() == []


def test_a_reply_through_the_site_shows_at_once():
    thread = ThreadFactory()
    member = MembershipFactory(community=thread.community).user
    visitor = _client()
    visitor.get(_thread_url(thread))
    url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    assert _client(member).post(url, {"body": "Pair programming with timers works."}).status_code == 302
    seen = visitor.get(_thread_url(thread))
    assert seen["X-Page-Cache"] == "miss"
    assert "Pair programming with timers works." in seen.content.decode()


def test_a_change_in_another_community_keeps_this_page_cached():
    thread = ThreadFactory()
    other = CommunityFactory()
    _client().get(_thread_url(thread))
    member = MembershipFactory(community=other).user
    _client(member).post(reverse("discussions:new", kwargs={"slug": other.slug}), {"title": "x"})
    assert _client().get(_thread_url(thread))["X-Page-Cache"] == "hit"


def test_a_community_made_members_only_closes_its_cached_pages_at_once():
    """No save receiver and no bump: the visibility check runs before the cache is read."""
    thread = ThreadFactory(title="Public for now")
    url = _thread_url(thread)
    _client().get(url)
    assert _client().get(url)["X-Page-Cache"] == "hit"
    Community.objects.filter(pk=thread.community_id).update(visibility=Community.Visibility.MEMBERS)
    response = _client().get(url)
    assert response.status_code == 302  # sent to log in
    assert "Public for now" not in response.content.decode()
    Community.objects.filter(pk=thread.community_id).update(
        visibility=Community.Visibility.HIDDEN, join_policy=Community.JoinPolicy.INVITATION
    )
    assert _client().get(url).status_code == 404


def test_writes_outside_a_request_show_once_the_short_lifetime_passes(settings):
    community = CommunityFactory()
    url = reverse("discussions:list", kwargs={"slug": community.slug})
    _client().get(url)
    Thread.objects.create(community=community, title="Written by a task", body="b", body_html="<p>b</p>")
    assert "Written by a task" not in _client().get(url).content.decode()  # no global save receivers
    cache._cache.get_client().delete(*_page_entries())  # what PAGE_CACHE_SECONDS does after 30 s
    assert "Written by a task" in _client().get(url).content.decode()
    assert settings.PAGE_CACHE_SECONDS <= 60


def test_each_time_zone_gets_its_own_entry():
    thread = ThreadFactory()
    _client().get(_thread_url(thread))
    tokyo = _client()
    tokyo.cookies["tz"] = "Asia/Tokyo"
    assert tokyo.get(_thread_url(thread))["X-Page-Cache"] == "miss"


def test_turned_off_with_zero_seconds(settings):
    settings.PAGE_CACHE_SECONDS = 0
    thread = ThreadFactory()
    client = _client()
    client.get(_thread_url(thread))
    assert "X-Page-Cache" not in client.get(_thread_url(thread))


def test_placed_above_community_view_it_refuses_to_run():
    @cached_page()
    @community_view("see")
    def wrong(request, access):
        raise AssertionError("never reached")

    request = RequestFactory().get("/c/x/")
    request.user = AnonymousUser()
    with pytest.raises(ImproperlyConfigured, match="below @community_view"):
        wrong(request, slug=CommunityFactory().slug)


class CacheCalls:
    """Counts the cache calls a request makes (each one round trip to Redis); the calls still run."""

    def __init__(self, monkeypatch):
        self.calls = []
        for name in ("get", "get_many", "add", "set"):
            real = getattr(cache, name)
            monkeypatch.setattr(cache, name, self._counting(name, real))

    def _counting(self, name, real):
        def call(*args, **kwargs):
            self.calls.append(name)
            return real(*args, **kwargs)

        return call


def test_a_hit_is_one_round_trip_to_the_cache(monkeypatch):
    thread = ThreadFactory()
    url = _thread_url(thread)
    _client().get(url)
    counted = CacheCalls(monkeypatch)
    assert _client().get(url)["X-Page-Cache"] == "hit"
    assert counted.calls == ["get_many"]  # the scopes' tokens and the entry together


def test_an_entry_stored_before_a_bump_is_not_served_after_it():
    thread = ThreadFactory(title="Before the bump")
    url = _thread_url(thread)
    _client().get(url)
    (entry,) = _page_entries()
    Thread.objects.filter(pk=thread.pk).update(title="After the bump")  # no request: nothing bumps yet
    assert "Before the bump" in _client().get(url).content.decode()
    from core.pagecache import bump_community

    bump_community(thread.community.slug)
    seen = _client().get(url)
    assert seen["X-Page-Cache"] == "miss"
    assert "After the bump" in seen.content.decode()
    assert _page_entries() == [entry]  # the same entry, stored again under the new tokens
    assert _client().get(url)["X-Page-Cache"] == "hit"


def test_a_member_reading_a_thread_keeps_the_visitors_pages_cached():
    """The thread page POSTs its read mark as it loads; that changes nothing a visitor sees."""
    thread = ThreadFactory()
    reply = PostFactory(thread=thread)
    member = MembershipFactory(community=thread.community).user
    visitor = _client()
    visitor.get(_thread_url(thread))
    visitor.get(reverse("home"))
    reader = _client(member)
    url = reverse("discussions:mark_read", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    assert reader.post(url, {"upto": str(reply.pk)}).status_code == 302
    (notice,) = make_notifications(member, thread.community)
    assert reader.post(reverse("notifications:read", kwargs={"pk": notice.pk})).status_code == 302
    assert reader.post(reverse("notifications:read_all")).status_code == 302
    assert visitor.get(_thread_url(thread))["X-Page-Cache"] == "hit"
    assert visitor.get(reverse("home"))["X-Page-Cache"] == "hit"
    # A refused read mark bumps nothing either, and a real change still does.
    assert reader.post(url, {"upto": "x"}).status_code == 400
    assert visitor.get(_thread_url(thread))["X-Page-Cache"] == "hit"
    reply_url = reverse("discussions:reply", kwargs={"slug": thread.community.slug, "thread_id": thread.pk})
    assert reader.post(reply_url, {"body": "Exit tickets on sticky notes."}).status_code == 302
    assert visitor.get(_thread_url(thread))["X-Page-Cache"] == "miss"
