"""Cache-Control: a shared cache never keeps a logged-in person's page; secret links are never kept at all."""

import pytest
from django.test import Client

from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]


def _directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/", "/c/", "/settings/", "/calendar/"])
def test_every_logged_in_page_is_private(path):
    response = _client(UserFactory()).get(path)
    assert response.status_code == 200
    assert "private" in _directives(response)
    assert "public" not in _directives(response)


def test_a_community_page_is_private_for_a_member_and_never_page_cached():
    community = CommunityFactory()
    client = _client(MembershipFactory(community=community).user)
    client.get(f"/c/{community.slug}/")
    again = client.get(f"/c/{community.slug}/")
    assert "X-Page-Cache" not in again  # logged-in pages are never page-cached (core/pagecache.py)
    assert "private" in _directives(again)


def test_visitors_pages_are_not_marked_private():
    response = _client().get("/c/")
    assert response.status_code == 200
    assert "private" not in _directives(response)


@pytest.mark.parametrize("path", ["/settings/", "/calendar/"])
def test_pages_with_secret_links_are_never_stored(path):
    response = _client(UserFactory()).get(path)
    assert {"no-store", "private"} <= _directives(response)


def test_a_members_only_calendar_showing_the_feed_token_is_never_stored_even_from_the_page_cache():
    community = CommunityFactory(visibility="members")
    member = MembershipFactory(community=community).user
    client = _client(member)
    first = client.get(f"/c/{community.slug}/calendar/")
    assert b"calendar.ics?token=" in first.content
    second = client.get(f"/c/{community.slug}/calendar/")
    for response in (first, second):
        assert {"no-store", "private"} <= _directives(response)
