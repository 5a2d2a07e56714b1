"""Rows with only some of the words are counted, not read newest first, when the page cannot reach them
(core.search.newest_matches_together's ``shown``, issue 19): the same results, counts and pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from communities.models import Community
from communities.permissions import search_scope
from core import search as core_search
from discussions import selectors
from discussions.models import Thread
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _threads(community, *, every, some):
    """``every`` threads with both words, then ``some`` with one of them, each older than the last."""
    now = timezone.now()
    made = []
    for n in range(every + some):
        title = f"Rubric feedback {n}" if n < every else f"Rubric notes {n}"
        thread = ThreadFactory(community=community, title=title, body="For the robot project.")
        Thread.objects.filter(pk=thread.pk).update(created_at=now - timedelta(hours=n))
        made.append(thread)
    return made


def _found(shown):
    rows = Thread.objects.filter(is_hidden=False)
    terms = core_search.parse("rubric feedback")
    return core_search.newest_matches_together([(rows, "t")], terms, shown=shown)


def test_rows_with_some_words_are_counted_when_enough_rows_have_every_word(community):
    made = _threads(community, every=3, some=4)
    loaded = _found(None)
    assert [(c.id, c.tier) for c in loaded] == [(t.pk, 1) for t in made[:3]] + [(t.pk, 0) for t in made[3:]]
    counted = _found(3)
    assert counted[:3] == loaded[:3]
    assert [(c.id, c.tier) for c in counted[3:]] == [(None, 0)] * 4
    assert _found(4) == loaded  # three rows with every word cannot fill four places


def test_every_page_shows_what_it_showed_when_every_row_was_read(client, community, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_PER_PAGE", 2)
    made = _threads(community, every=3, some=4)

    def titles(page):
        content = client.get("/search/", {"q": "rubric feedback", "page": page}).content.decode()
        assert "7 results for" in content
        return [t.title for t in made if f">{t.title}</a>" in content]

    assert titles(1) == ["Rubric feedback 0", "Rubric feedback 1"]
    assert titles(2) == ["Rubric feedback 2", "Rubric notes 3"]
    assert titles(3) == ["Rubric notes 4", "Rubric notes 5"]
    assert titles(4) == ["Rubric notes 6"]
    assert titles(99) == ["Rubric notes 6"]  # past the end: the last page
    assert titles(0) == ["Rubric notes 6"]
    assert titles("x") == ["Rubric feedback 0", "Rubric feedback 1"]


def test_the_page_of_every_word_runs_no_more_queries_than_before(community, django_assert_max_num_queries):
    _threads(community, every=3, some=4)
    scope = search_scope(AnonymousUser())
    terms = core_search.parse("rubric feedback")
    with django_assert_max_num_queries(2):
        section = selectors.search(viewer=AnonymousUser(), terms=terms, scope=scope, per_page=2)
    assert section.count == 7
    assert [hit.title for hit in section.hits] == ["Rubric feedback 0", "Rubric feedback 1"]


@pytest.mark.parametrize("visibility", [Community.Visibility.MEMBERS, Community.Visibility.HIDDEN])
def test_rows_of_a_community_the_searcher_may_not_see_are_not_counted(client, community, visibility, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_PER_PAGE", 1)
    monkeypatch.setattr(selectors, "OVERVIEW_PER_PAGE", 1)
    _threads(community, every=1, some=0)
    ResourceFactory(community=community, title="Rubric feedback sheet")
    secret = CommunityFactory(visibility=visibility)
    _threads(secret, every=0, some=3)
    for n in range(3):
        ResourceFactory(community=secret, title=f"Rubric template {n}")
    for viewer in (None, UserFactory()):
        client.logout()
        if viewer is not None:
            client.force_login(viewer)
        content = client.get("/search/", {"q": "rubric feedback"}).content.decode()
        assert "2 results for" in content
        assert "Discussions (1)" in content
        assert "Resources (1)" in content
    client.force_login(MembershipFactory(community=secret).user)
    content = client.get("/search/", {"q": "rubric feedback"}).content.decode()
    assert "8 results for" in content
    assert "Discussions (4)" in content
    assert "Resources (4)" in content
