"""List endpoints make the same number of queries for 3 rows as for 60; the docs page renders under the CSP."""

import pytest

from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _make(kind, community, n):
    for _ in range(n):
        if kind == "threads":
            ThreadFactory(community=community)
        elif kind == "resources":
            ResourceFactory(community=community)
        elif kind == "polls":
            PollFactory(community=community)
        elif kind == "activities":
            ActivityFactory(community=community)
        elif kind == "members":
            MembershipFactory(community=community)
        elif kind == "posts":
            PostFactory(thread=community.threads.first())


# token (1) + last used (1, first request only) + community (1) + membership (1) + the rows and their prefetches
EXPECTED = {"threads": 5, "resources": 6, "polls": 6, "activities": 5, "members": 6, "posts": 6}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_list_queries_do_not_grow_with_rows(kind, as_user, member, community, django_assert_num_queries):
    ThreadFactory(community=community)
    client = as_user(member)
    path = f"/api/v1/communities/{community.slug}/{kind}/"
    if kind == "posts":
        path = f"/api/v1/communities/{community.slug}/threads/{community.threads.first().pk}/posts/"
    _make(kind, community, 3)
    with django_assert_num_queries(EXPECTED[kind]):
        assert client.get(path + "?page_size=100").status_code == 200
    _make(kind, community, 57)
    with django_assert_num_queries(EXPECTED[kind] - 1):  # last_used_at is written once a minute at most
        response = client.get(path + "?page_size=100")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 60


def test_community_list_queries(api, django_assert_num_queries):
    for _ in range(30):
        CommunityFactory()
    with django_assert_num_queries(1):
        assert len(api.get("/api/v1/communities/").json()["results"]) == 25


def test_schema_and_docs_page_render_with_the_strict_csp(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/communities/{slug}/threads/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    csp = docs["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp
    html = docs.content.decode()
    assert "<script>" not in html  # Redoc is started from a static file, not an inline script
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in html
    assert "/static/js/api_docs.js" in html
    assert "googleapis" not in html  # drf-spectacular's own template loads Google's fonts
