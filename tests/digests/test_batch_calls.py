"""Calls to action for a whole digest batch at once (issue 19): the same lists as one member at a time.

A batch of members in overlapping communities, with more of every kind than a list
shows (so the cut-offs matter): each member's ``calls_to_action_for_many`` entry must
equal ``calls_to_action`` for them, in a fixed number of queries for the whole batch.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from communities.models import Community
from digests import selectors
from digests.emails import render_digest
from discussions.models import Thread
from mentoring.models import Pairing
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory, ResponsibilityFactory
from tests.digests.world import build_world
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.mentoring.factories import active_pairing, mentor, mentor_request
from tests.polls.factories import PollFactory, add_ballot

pytestmark = pytest.mark.django_db


def _items(calls):
    kinds = ("responsibilities", "polls", "activities", "questions", "mentoring")
    return {kind: [(i.title, i.path, i.community, i.when, i.detail) for i in getattr(calls, kind)] for kind in kinds}


def _without_tokens(parts):
    """The rendered digest without its unsubscribe tokens (they carry the second they were signed)."""
    return [re.sub(r"/digests/unsubscribe/[^/]+/", "/digests/unsubscribe/TOKEN/", part) for part in parts]


@pytest.fixture
def crowd():
    """Three communities, eight members in different mixes of them, and more of everything than a list holds."""
    north, south = DistrictFactory(name="North"), DistrictFactory(name="South")
    a, b = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta")
    hidden = CommunityFactory(name="Gamma", visibility=Community.Visibility.HIDDEN)
    people = [UserFactory(district=north if n % 2 else south) for n in range(7)] + [UserFactory(district=None)]
    homes = [(a,), (b,), (a, b), (a, b, hidden), (hidden,), (a, hidden), (b, hidden), (a,)]
    for person, communities in zip(people, homes, strict=True):
        for community in communities:
            MembershipFactory(user=person, community=community)
    soon = timezone.now() + dt.timedelta(days=1)
    for n, community in enumerate((a, b, hidden) * 5):
        activity = ActivityFactory(
            community=community, title=f"{community.name} weekly {n}", start=soon + dt.timedelta(hours=n * 5),
            recurrence="FREQ=WEEKLY;COUNT=6" if n % 3 == 0 else "",
        )  # fmt: skip
        if n % 6 == 0:
            OccurrenceChangeFactory(activity=activity, original_start=activity.start, cancelled=True)
        ResponsibilityFactory(
            activity=activity, district=north if n % 2 else south, task=f"{community.name} duty {n}",
            due_date=(soon + dt.timedelta(days=n % 9)).date(), assignee=people[n % 8] if n % 4 == 0 else None,
        )  # fmt: skip
    for n in range(14):
        poll = PollFactory(community=(a, b, hidden)[n % 3], question=f"Poll {n}?", closes_at=soon + dt.timedelta(n))
        if n % 4 == 0:
            add_ballot(poll, people[n % 8], poll.choices.first())
    for community in (a, b, hidden):
        areas = [FocusAreaFactory(community=community, name=f"{community.name} area {k}") for k in range(2)]
        for n in range(13):
            ThreadFactory(community=community, focus_area=areas[n % 2], title=f"{community.name} question {n}")
        for n, person in enumerate(people):
            areas[n % 2].followers.add(person)
            if n % 3 == 0:
                areas[(n + 1) % 2].leaders.add(person)
    guide = mentor(a, user=people[0], capacity=5)
    active_pairing(guide, people[2])
    active_pairing(guide, people[7])
    Pairing.objects.create(
        community=a, request=mentor_request(a, people[5]), mentor=people[0], mentee=people[5], profile=guide,
        status=Pairing.Status.ASKED,
    )  # fmt: skip
    return people


def test_a_batch_gets_each_members_own_calls_to_action(crowd):
    batch = selectors.calls_to_action_for_many(users=crowd)
    for person in crowd:
        assert _items(batch[person.pk]) == _items(selectors.calls_to_action(user=person)), person
    # The lists really are full and cut: otherwise the comparison proves little.
    assert max(len(calls.activities) for calls in batch.values()) == selectors.CALL_LIMIT
    assert max(len(calls.questions) for calls in batch.values()) == selectors.QUESTION_LIMIT
    assert max(len(calls.polls) for calls in batch.values()) >= 8
    assert any(calls.mentoring for calls in batch.values())
    assert any(calls.responsibilities for calls in batch.values())


def test_a_batch_costs_the_same_queries_whatever_its_size(crowd, assert_num_queries_exact):
    with assert_num_queries_exact(13):
        selectors.calls_to_action_for_many(users=crowd[:2])
    more = crowd + [MembershipFactory(community=Community.objects.get(name="Alpha")).user for _ in range(20)]
    with assert_num_queries_exact(13):
        selectors.calls_to_action_for_many(users=more)


def test_a_batch_for_next_month_matches_one_at_a_time():
    world = build_world()
    people = [world.ana, world.ben, world.cy]
    batch = selectors.calls_to_action_for_many(users=people, month=world.period)
    for person in people:
        assert _items(batch[person.pk]) == _items(selectors.calls_to_action(user=person, month=world.period))
        members = selectors.member_communities_of_many(users=people)[person.pk]
        with_batch = selectors.digest_for(user=person, period=world.period, calls=batch[person.pk], communities=members)
        alone = selectors.digest_for(user=person, period=world.period)
        assert _without_tokens(render_digest(with_batch)) == _without_tokens(render_digest(alone))


def test_a_batch_picks_each_members_most_helpful_discussions_across_their_communities(assert_num_queries_exact):
    from discussions.models import Reaction
    from tests.digests.world import next_month
    from tests.discussions.factories import PostFactory

    period = next_month()
    a, b, c = CommunityFactory(name="Alpha"), CommunityFactory(name="Beta"), CommunityFactory(name="Gamma")
    homes = [(a,), (a, b), (b, c), (a, b, c), (c,)]
    people = [UserFactory() for _ in homes]
    for person, communities in zip(people, homes, strict=True):
        for community in communities:
            MembershipFactory(user=person, community=community)
    for community in (a, b, c):
        for n in range(7):
            reply = PostFactory(thread=ThreadFactory(community=community, title=f"{community.name} helpful {n}"))
            # One to three helpful marks: many ties, so the order's last word (the newest thread) matters.
            for fan in people[: n % 3 + 1]:
                Reaction.objects.create(post=reply, user=fan, kind=Reaction.Kind.HELPFUL)
    with assert_num_queries_exact(5):  # notes, threads, resources, chats, new members: for every community at once
        content = selectors.community_content_of_many(communities=[a, b, c], period=period)
    communities = selectors.member_communities_of_many(users=people)

    def threads(digest):
        return [(section.community.name, [item.title for item in section.threads]) for section in digest.sections]

    for person in people:
        batch = selectors.digest_for(user=person, period=period, communities=communities[person.pk], content=content)
        alone = selectors.digest_for(user=person, period=period)
        assert threads(batch) == threads(alone), person
        assert sum(len(titles) for _name, titles in threads(batch)) == selectors.THREAD_LIMIT
    everywhere = selectors.digest_for(user=people[3], period=period, content=content)
    assert len([titles for _name, titles in threads(everywhere) if titles]) > 1, "the best of several communities"


def test_questions_and_dates_at_the_same_instant_come_in_one_order_in_every_list():
    """Ties of time are settled by id (newest question first, same-time dates by title, then id), so the
    site home, the community home and the digest batch list them alike whatever order the rows come in."""
    community = CommunityFactory()
    area = FocusAreaFactory(community=community)
    reader = MembershipFactory(community=community).user
    area.followers.add(reader)
    same = timezone.now() - dt.timedelta(days=1)
    threads = [ThreadFactory(community=community, focus_area=area, title="Same question") for _ in range(4)]
    Thread.objects.filter(pk__in=[t.pk for t in threads]).update(created_at=same)
    soon = timezone.now() + dt.timedelta(days=2)
    activities = [ActivityFactory(community=community, title="Same meeting", start=soon) for _ in range(3)]
    newest_first = [t.pk for t in sorted(threads, key=lambda t: -t.pk)]
    lists = {
        "site home": selectors.calls_to_action(user=reader),
        "community home": selectors.calls_to_action(user=reader, community=community),
        "digest batch": selectors.calls_to_action_for_many(users=[reader])[reader.pk],
    }
    for name, calls in lists.items():
        question_ids = [int(re.search(r"/t/(\d+)-", item.path).group(1)) for item in calls.questions]
        assert question_ids == newest_first, name
        activity_ids = [int(re.search(r"/calendar/(\d+)/", item.path).group(1)) for item in calls.activities]
        assert activity_ids == sorted(a.pk for a in activities), name
