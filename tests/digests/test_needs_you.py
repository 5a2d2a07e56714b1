"""Issue 20, item 4: "What needs you" on a community home, the site's calls to action from that community alone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendar_app.models import Activity
from chats.selectors import next_chat_of
from communities.models import Membership
from communities.permissions import access_for
from digests import selectors
from digests.panels import NEEDS_LIMIT, what_needs_you_panel
from tests.calendar_app.factories import ActivityFactory, RSVPFactory
from tests.chats.factories import ChatFactory, ended_chat, live_chat, upcoming_chat
from tests.digests.needs import busy_member
from tests.digests.test_batch_calls import _items, crowd  # noqa: F401 - the fixture, by name
from tests.factories import CommunityFactory
from tests.polls.factories import add_ballot

pytestmark = pytest.mark.django_db

KINDS = ("responsibilities", "polls", "activities", "questions", "mentoring")


def _titles(calls):
    return {kind: [item.title for item in getattr(calls, kind)] for kind in KINDS} | {
        "nudges": [nudge.thread.title for nudge in calls.nudges]
    }


def test_one_community_gets_what_the_site_wide_calls_hold_of_it(crowd):  # noqa: F811
    """Against the site-wide lists (the one rule): equal for someone in one community; for someone in
    several, the site-wide list cut at CALL_LIMIT across communities holds the first ones of each."""
    compared = 0
    for person in crowd:
        everywhere = selectors.calls_to_action(user=person)
        communities = [m.community for m in Membership.objects.filter(user=person).select_related("community")]
        for community in communities:
            here = _items(selectors.calls_to_action(user=person, community=community))
            theirs = _items(everywhere.only(community))
            if len(communities) == 1:
                assert here == theirs, person
            for kind in KINDS:
                assert here[kind][: len(theirs[kind])] == theirs[kind], (person, community, kind)
                assert all(row[2] == community for row in here[kind])
            compared += sum(len(rows) for rows in here.values())
    assert compared > 100


def test_every_kind_appears_in_the_panel_overdue_duties_first(community):
    busy = busy_member(community)
    panel = what_needs_you_panel(community=community, viewer=busy.member, access=access_for(busy.member, community))
    kinds = [row["item"].kind for row in panel["rows"]]
    assert kinds == [
        "Responsibility", "Responsibility", "Question", "Activity", "Poll", "Mentoring", "Mentoring", "Your question",
    ]  # fmt: skip
    assert len(kinds) == NEEDS_LIMIT
    assert panel["more"] == 0
    first = panel["rows"][0]
    assert first["item"].title == busy.titles["overdue"][0]
    assert first["item"].is_overdue
    assert first["icon"] == "exclamation-triangle"
    assert [row["item"].title for row in panel["rows"][1:5]] == [
        busy.titles["duty"][0], busy.titles["question"][0], busy.titles["rsvp"][0], busy.titles["poll"][0],
    ]  # fmt: skip
    assert panel["rows"][5]["item"].title == "Mo Mentee 0 asks you to be their mentor"
    assert panel["rows"][6]["item"].title.startswith("Check in with ")
    assert panel["rows"][7]["item"].title == "My own question 0"
    assert all(row["icon"] and row["item"].action for row in panel["rows"])


def test_the_panel_lists_the_first_eight_and_counts_the_rest(community):
    busy = busy_member(community, n=3)
    panel = what_needs_you_panel(community=community, viewer=busy.member, access=access_for(busy.member, community))
    assert len(panel["rows"]) == NEEDS_LIMIT
    assert [row["item"].title for row in panel["rows"][:3]] == busy.titles["overdue"][::-1]
    # 3 overdue, 3 other duties, 3 questions, 3 webinars, 3 polls, 3 asks, a check-in, 3 nudges.
    assert panel["more"] == 22 - NEEDS_LIMIT


def test_answered_rsvps_and_polls_leave_the_list(community):
    busy = busy_member(community)
    webinar = Activity.objects.get(title="Webinar 0")
    RSVPFactory(activity=webinar, user=busy.member)
    from polls.models import Poll

    poll = Poll.objects.get(question="How is term 0 going?")
    add_ballot(poll, busy.member, poll.choices.first())
    titles = _titles(selectors.calls_to_action(user=busy.member, community=community))
    assert titles["activities"] == []
    assert titles["polls"] == []


def test_another_communitys_items_never_appear(community):
    busy = busy_member(community, tag="HERE ")
    elsewhere = CommunityFactory(name="Elsewhere")
    busy_member(elsewhere, tag="ELSEWHERE ", member=busy.member)
    titles = _titles(selectors.calls_to_action(user=busy.member, community=community))
    flat = [title for rows in titles.values() for title in rows]
    assert flat
    assert all("ELSEWHERE" not in title for title in flat)
    assert all(rows for rows in titles.values()), titles  # every kind has something of HERE
    site_wide = _titles(selectors.calls_to_action(user=busy.member))
    assert any("ELSEWHERE" in title for rows in site_wide.values() for title in rows)


def test_someone_who_left_the_community_sees_nothing_of_it(community):
    busy = busy_member(community)
    assert selectors.calls_to_action(user=busy.member, community=community)
    Membership.objects.filter(user=busy.member, community=community).delete()
    calls = selectors.calls_to_action(user=busy.member, community=community)
    assert not calls
    assert _titles(calls) == {kind: [] for kind in (*KINDS, "nudges")}
    access = access_for(busy.member, community)
    assert what_needs_you_panel(community=community, viewer=busy.member, access=access) is None


def test_the_panel_is_for_members_only(community, user):
    busy_member(community)
    assert what_needs_you_panel(community=community, viewer=user, access=access_for(user, community)) is None


def test_moderators_see_their_queues_first_from_the_tabs_counts(community, moderator, assert_num_queries_exact):
    from discussions.models import Flag
    from tests.discussions.factories import ThreadFactory
    from tests.resources.factories import ResourceFactory

    thread = ThreadFactory(community=community)
    Flag.objects.create(community=community, thread=thread, reporter=moderator)
    ResourceFactory(community=community, status="submitted")
    ResourceFactory(community=community, status="submitted")
    access = access_for(moderator, community)
    access.moderation_counts  # the community's tabs have asked already  # noqa: B018
    panel = what_needs_you_panel(community=community, viewer=moderator, access=access)
    assert [(q.count, q.label) for q in panel["queues"]] == [(1, "open flag"), (2, "resources in the review queue")]
    assert panel["queues"][0].path == f"/c/{community.slug}/moderation/"


def test_the_calls_of_one_community_cost_the_same_queries_whatever_their_number(community, assert_num_queries_exact):
    small = busy_member(community, n=1).member
    big = busy_member(CommunityFactory(), n=15)
    # Duties, polls, activities with the RSVPs and their exceptions, questions, nudges, their replies, asks with
    # check-ins (issue 19: questions and nudges were one UNION, which PostgreSQL took longer to plan than the two).
    with assert_num_queries_exact(8):
        selectors.calls_to_action(user=small, community=community)
    big_community = Membership.objects.filter(user=big.member).get().community
    with assert_num_queries_exact(8):
        calls = selectors.calls_to_action(user=big.member, community=big_community)
    assert len(calls.responsibilities) == selectors.CALL_LIMIT
    assert len(calls.activities) == selectors.CALL_LIMIT
    assert len(calls.questions) == selectors.QUESTION_LIMIT
    assert len(calls.nudges) == selectors.NUDGE_LIMIT


# -- the next chat ------------------------------------------------------------------------------


def test_the_next_chat_is_the_one_on_now_then_the_soonest(community):
    assert next_chat_of(community=community) is None
    ended_chat(community=community)
    later = upcoming_chat(community=community)
    assert next_chat_of(community=community).activity == later.activity
    live = live_chat(community=community)
    found = next_chat_of(community=community)
    assert found.activity == live.activity
    assert found.is_live()
    assert found.prepared
    assert found.path == f"/c/{community.slug}/calendar/{live.activity.pk}/chat/"


def test_a_chat_ended_early_an_other_kind_and_another_communitys_chat_are_not_next(community):
    now = timezone.now()
    live_chat(community=community, closed_at=now - timedelta(minutes=1))
    ActivityFactory(community=community, kind=Activity.Kind.WEBINAR, start=now + timedelta(hours=1))
    upcoming_chat(community=CommunityFactory())
    assert next_chat_of(community=community) is None
    unprepared = ActivityFactory(community=community, title="Monthly edchat", start=now + timedelta(days=9))
    found = next_chat_of(community=community)
    assert found.activity == unprepared
    assert not found.prepared
    assert found.title == "Monthly edchat"


def test_a_series_counts_by_its_next_date_and_links_to_its_activity(community):
    now = timezone.now().replace(microsecond=0)
    series = ActivityFactory(
        community=community, title="Weekly edchat", start=now - timedelta(days=20), recurrence="FREQ=WEEKLY;COUNT=10"
    )
    ChatFactory(activity=ActivityFactory(community=community, start=now + timedelta(days=30)))
    found = next_chat_of(community=community)
    assert found.activity == series
    assert found.start > now
    assert found.start < now + timedelta(days=7)
    assert found.path == series.get_absolute_url()


def test_the_next_chat_is_one_query(community, assert_num_queries_exact):
    for _ in range(5):
        upcoming_chat(community=community)
    with assert_num_queries_exact(1):
        assert next_chat_of(community=community).title


def test_the_next_chat_panel_is_for_members(community, member, user):
    from chats.panels import next_chat_panel

    upcoming_chat(community=community)
    assert next_chat_panel(community=community, viewer=member, access=access_for(member, community))
    assert next_chat_panel(community=community, viewer=user, access=access_for(user, community)) is None
