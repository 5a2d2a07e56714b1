"""The dashboard's one PostgreSQL statement (reports/health_sql.py) gives the rows the ORM gives.

``reports.health._raw_portable`` computes every figure's rows with the ORM, a query or two each (it
is what SQLite runs); the statement must agree with it row for row, for a moderator and a district
leader, in zones whose months do not start on a UTC hour, and on data made to hit the edges: replies
hidden or deleted, a non-member's post, an anonymous ballot, an attendance without an RSVP, members
quiet for a long time or for ever, activity just before and after the quiet cutoff.
"""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from calendar_app.models import RSVP, Attendance
from discussions.models import Post, Thread
from polls.models import Poll
from reports.health import _raw_from_postgresql, _raw_portable, figure_params
from reports.health_sql import month_starts
from reports.periods import Period
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory, RSVPFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import DistrictFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot
from tests.reports.seed import seed_known_community

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
# Havana falls back from 01:00 to 00:00 on 2026-11-01: that month's first midnight comes twice (its
# months are then worked out row by row).
ZONES = (
    "UTC", "America/Chicago", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Lord_Howe", "Pacific/Chatham",
    "America/Havana",
)  # fmt: skip


def comparable(raw):
    """Rows in a fixed order (each side returns groups in its own); the quiet list keeps its order."""
    found = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            found[name] = value
        elif name != "quiet" and isinstance(value, list) and value and isinstance(value[0], list | tuple):
            found[name] = sorted((tuple(row) for row in value), key=repr)
        elif name == "quiet":
            found[name] = [tuple(row) for row in value]
        else:
            found[name] = list(value) if isinstance(value, list | tuple) else value
    return found


def both(community, period, own=None):
    params = figure_params(community=community, period=period, own=own, now=NOW)
    return comparable(_raw_from_postgresql(params=params)), comparable(
        _raw_portable(community=community, period=period, params=params)
    )


def add_edges(seeded):
    """Rows at the edges of every figure, on top of the known community."""
    community = seeded.community
    riverside = seeded.riverside
    rng = random.Random(21)
    people = [seeded.quiet, seeded.lakeview_quiet]
    for i in range(12):
        user = UserFactory(username=f"edge{i}", display_name=f"Edge {i % 4}", district=rng.choice([riverside, None]))
        MembershipFactory(user=user, community=community, joined_at=datetime(2025, 1, 1, tzinfo=UTC))
        people.append(user)
    outsider = UserFactory(username="outsider", district=seeded.lakeview)  # not a member (any more)
    active, never, long_ago, just_before, just_after = people[:10], people[10], people[11], people[12], people[13]
    cutoff = NOW - timedelta(days=60)
    threads = [
        ThreadFactory(
            community=community,
            author=rng.choice(active),
            kind=rng.choice(list(Thread.Kind.values)),
            created_at=datetime(2026, 9, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 80)),
        )
        for _ in range(10)
    ]
    # Replies at month edges in every zone (UTC midnight, 18:15, 23:45 on the last and first days).
    moments = [
        datetime(2026, month, day, hour, minute, tzinfo=UTC)
        for month, day in ((9, 30), (10, 1), (10, 31), (11, 1))
        for hour, minute in ((0, 0), (5, 30), (11, 0), (13, 45), (18, 15), (23, 45))
    ]
    # Havana's 00:30 on 2026-11-01, before the clocks go back (04:30 UTC) and after (05:30 UTC).
    moments += [datetime(2026, 11, 1, 4, 30, tzinfo=UTC), datetime(2026, 11, 1, 5, 30, tzinfo=UTC)]
    for moment in moments:
        PostFactory(thread=rng.choice(threads), author=rng.choice(active), created_at=moment)
    hidden = PostFactory(thread=threads[0], author=people[3], created_at=datetime(2026, 10, 2, tzinfo=UTC))
    deleted = PostFactory(thread=threads[1], author=people[4], created_at=datetime(2026, 10, 3, tzinfo=UTC))
    Post.objects.filter(pk=hidden.pk).update(is_hidden=True)
    Post.objects.filter(pk=deleted.pk).update(is_deleted=True)
    PostFactory(thread=threads[2], author=outsider, created_at=datetime(2026, 10, 4, tzinfo=UTC))
    # Quiet edges: one active a second after the cutoff, one a second before it, one long ago.
    PostFactory(thread=threads[3], author=just_after, created_at=cutoff + timedelta(seconds=1))
    PostFactory(thread=threads[3], author=just_before, created_at=cutoff - timedelta(seconds=1))
    ThreadFactory(community=community, author=long_ago, created_at=datetime(2025, 3, 1, tzinfo=UTC))
    assert never not in active
    # An activity attended without RSVPs, one with RSVPs and nobody there, one in the future.
    walk_in = ActivityFactory(community=community, title="Walk-in", start=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    for user in people[7:10]:
        Attendance.objects.create(activity=walk_in, user=user, attended_on=walk_in.start, minutes=60)
    empty = ActivityFactory(community=community, title="Nobody came", start=datetime(2026, 11, 1, 2, tzinfo=UTC))
    later = ActivityFactory(community=community, title="Later", start=NOW + timedelta(days=3))
    for user in people[:4]:
        RSVPFactory(activity=empty, user=user, response=RSVP.Response.GOING)
        RSVPFactory(activity=later, user=user, response=RSVP.Response.GOING)
    # An anonymous scale poll and a named one opening on a month edge.
    edges = ((datetime(2026, 10, 1, 3, tzinfo=UTC), True), (datetime(2026, 10, 31, 20, tzinfo=UTC), False))
    for opens, anonymous in edges:
        poll = PollFactory(
            community=community, kind=Poll.Kind.SCALE, opens_at=opens, closes_at=opens + timedelta(days=3),
            is_anonymous=anonymous,
        )  # fmt: skip
        choices = list(poll.choices.order_by("position"))
        for user in [*people[:9], outsider]:
            add_ballot(poll, user, rng.choice(choices))
    # Duties done on the due date late in the evening (the next day in UTC for Chicago).
    ResponsibilityFactory(
        activity=walk_in, district=riverside, due_date=date(2026, 10, 20), status="done",
        done_at=datetime(2026, 10, 21, 3, tzinfo=UTC),
    )  # fmt: skip
    ResponsibilityFactory(activity=walk_in, district=DistrictFactory(name="Hillcrest"), due_date=NOW.date())


@pytest.mark.parametrize("zone", ZONES)
def test_the_statement_gives_the_rows_the_orm_gives_in_every_zone(zone):
    seeded = seed_known_community()
    add_edges(seeded)
    periods = (
        Period(first=date(2026, 9, 1), last=date(2026, 10, 31)),
        Period(first=date(2026, 8, 1), last=NOW.date()),
        Period(first=date(2026, 10, 15), last=date(2026, 11, 2)),
    )
    with timezone.override(zone):
        for period in periods:
            for own in (None, seeded.riverside.pk, seeded.lakeview.pk):
                statement, orm = both(seeded.community, period, own)
                assert statement == orm, (zone, period, own)
    # The edges are in the rows compared, not left out of both.
    with timezone.override("America/Chicago"):
        statement, _orm = both(seeded.community, periods[1])
    assert any(row[4] == "Walk-in" for row in statement["attended"])
    quiet = [row[1] for row in statement["quiet"]]
    assert {"edge8", "edge9", "edge10"} <= set(quiet)  # never, long ago, a second before the cutoff
    assert "edge11" not in quiet  # a second after it
    assert {row[0] for row in statement["picks"]} >= {date(2026, 9, 1), date(2026, 10, 1)}


def test_a_month_the_clocks_go_back_into_is_still_the_viewers_month():
    # St. John's went back from 00:01 on 2009-11-01 to 23:01 on October 31: a reply at 02:45 UTC came
    # after the first November midnight but was written on October 31, 23:15, local time.
    seeded = seed_known_community()
    thread = ThreadFactory(
        community=seeded.community, author=seeded.quiet, created_at=datetime(2009, 10, 5, tzinfo=UTC)
    )
    for moment in (datetime(2009, 11, 1, 2, 20, tzinfo=UTC), datetime(2009, 11, 1, 2, 45, tzinfo=UTC)):
        PostFactory(thread=thread, author=seeded.lakeview_quiet, created_at=moment)
    PostFactory(thread=thread, author=seeded.moderator, created_at=datetime(2009, 11, 1, 4, tzinfo=UTC))
    period = Period(first=date(2009, 10, 1), last=date(2009, 11, 30))
    with timezone.override("America/St_Johns"):
        assert month_starts(first=period.first, months=period.months()) is None
        statement, orm = both(seeded.community, period)
    assert statement == orm
    kind = Thread.objects.get(pk=thread.pk).kind
    assert sorted(statement["replies"]) == [(kind, date(2009, 10, 1), 2), (kind, date(2009, 11, 1), 1)]


def test_months_start_at_plain_midnights_unless_the_clocks_jump_over_one():
    months = [date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)]
    with timezone.override("America/Chicago"):
        starts = month_starts(first=date(2026, 9, 15), months=months)
        assert [s.astimezone(UTC).hour for s in starts] == [5, 5, 5]  # CDT all three
    with timezone.override("America/Havana"):
        assert month_starts(first=date(2026, 9, 15), months=months) is None  # 2026-11-01 00:00 comes twice
        assert month_starts(first=date(2026, 9, 15), months=months[:2]) is not None
