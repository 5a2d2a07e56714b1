"""The rows of "What needs me" come from the fragment cache ({% call_items %}, core.fragments, issue 19):
each is exactly what including call_item.html drew, in the reader's zone, and a change shows at once."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.cache import cache
from django.template import Context, engines
from django.utils import timezone
from django.utils.html import escape

from calendar_app.models import DutyState
from digests.selectors import CallsToAction, Item
from tests.factories import CommunityFactory, UserFactory

pytestmark = pytest.mark.django_db

ENGINE = engines["django"].engine
INCLUDED = ENGINE.from_string('{% for item in items %}{% include "digests/includes/call_item.html" %}{% endfor %}')
TAGGED = ENGINE.from_string("{% load digest_parts %}{% call_items items %}")


@pytest.fixture
def items():
    community = CommunityFactory(name="Coding & <Robots>")
    at = datetime(2026, 3, 8, 9, 30, tzinfo=UTC)  # the night US clocks change
    return [
        Item(title="Plan the <site visit>", path="/c/x/calendar/1/", community=community, when=date(2026, 2, 11),
             when_label="due", action="See what to do", kind="Responsibility", state=DutyState.OVERDUE),
        Item(title="Host the chat", path="/c/x/calendar/2/", community=community, when=date(2026, 3, 1),
             when_label="due", action="See what to do", kind="Responsibility", state=DutyState.DUE_SOON),
        Item(title="Which rubric?", path="/c/x/polls/3/", community=community, when=at, when_label="closes",
             action="Vote", kind="Poll", show_time=True),
        Item(title="Webinar", path="/c/x/calendar/4/", community=community, when=at + timedelta(days=1),
             detail="Webinar", action="RSVP", kind="Activity", show_time=True),
        Item(title='Loops "question"', path="/c/x/t/5/", community=community, action="Answer", kind="Question",
             person=UserFactory()),
        Item(title="Check in with Ana", path="/c/x/mentoring/", kind="Check-in"),
    ]  # fmt: skip


@pytest.mark.parametrize("zone", ["UTC", "America/Chicago", "Asia/Kathmandu"])
def test_rows_from_the_tag_match_including_call_item(items, zone):
    with timezone.override(zone):
        before = INCLUDED.render(Context({"items": items}))
        assert TAGGED.render(Context({"items": items})) == before  # drawn and kept
        assert TAGGED.render(Context({"items": items})) == before  # from the cache
    assert "Coding &amp; &lt;Robots&gt;" in before
    assert "Overdue" in before


def test_each_zone_gets_its_own_rows(items):
    with timezone.override("UTC"):
        utc = TAGGED.render(Context({"items": items}))
    with timezone.override("America/Chicago"):
        chicago = TAGGED.render(Context({"items": items}))
    assert "UTC" in utc
    assert "UTC" not in re.sub(r"datetime=\"[^\"]+\"", "", chicago)
    assert utc != chicago


def test_a_changed_item_shows_at_once(items):
    TAGGED.render(Context({"items": items}))
    first = items[0]
    renamed = Item(**{**first.__dict__, "title": "Plan the visit (moved)", "state": DutyState.DUE_SOON})
    html = TAGGED.render(Context({"items": [renamed]}))
    assert "Plan the visit (moved)" in html
    assert "Overdue" not in html
    community = first.community
    community.name = "Renamed community"
    assert "Renamed community" in TAGGED.render(Context({"items": [first]}))


def test_without_the_cache_the_rows_are_the_same(items, monkeypatch):
    before = INCLUDED.render(Context({"items": items}))
    monkeypatch.setattr("core.fragments.cache_is_degraded", lambda _cache: True)
    assert TAGGED.render(Context({"items": items})) == before
    cache.clear()
    assert TAGGED.render(Context({"items": items})) == before


GROUPED = ENGINE.from_string(
    "{% load digest_parts %}{% call_groups calls as drawn %}{{ drawn.overdue }}"
    "{% for group, rows in drawn.groups %}<h3>{{ group.community.name }}</h3>{{ rows }}{% endfor %}"
)


def test_the_whole_panel_is_drawn_as_each_list_alone_in_one_cache_round_trip(items, monkeypatch):
    other = CommunityFactory(name="Another place")
    elsewhere = Item(title="Answer this", path="/c/y/t/6/", community=other, action="Answer", kind="Question")
    calls = CallsToAction(responsibilities=items[:2], polls=[items[2]], activities=[items[3]], questions=[elsewhere])
    trips = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: trips.append(keys) or get_many(keys))
    with timezone.override("America/Chicago"):
        expected = INCLUDED.render(Context({"items": calls.overdue}))
        for group in calls.by_community:
            expected += f"<h3>{escape(group.community.name)}</h3>" + INCLUDED.render(Context({"items": group.items}))
        assert "Another place" in expected
        assert "Overdue" in expected
        assert GROUPED.render(Context({"calls": calls})) == expected  # drawn and kept
        assert GROUPED.render(Context({"calls": calls})) == expected  # from the cache
    assert [len(keys) for keys in trips] == [5, 5]  # every row of the panel in one round trip
