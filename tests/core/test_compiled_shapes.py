"""Fixed-shape queries compiled once (core.compiled.values_statement) give exactly the rows the ORM gives."""

from datetime import UTC, datetime, timedelta

import pytest

from calendar_app import selectors as calendar_selectors
from communities.models import Community, Membership
from core.compiled import GHOST_ID, GHOST_ID_2, values_statement
from polls import selectors as poll_selectors
from tests.calendar_app.factories import ActivityFactory, OccurrenceChangeFactory
from tests.factories import CommunityFactory, MembershipFactory
from tests.polls.factories import PollFactory, add_ballot

pytestmark = pytest.mark.django_db

MARCH = datetime(2026, 3, 2, 15, tzinfo=UTC)


def test_a_stand_in_must_be_a_parameter():
    rows = Community.objects.filter(pk=GHOST_ID).values_list("slug")
    with pytest.raises(ValueError, match="not \\(only\\) in the parameters"):
        values_statement(rows, ghosts=(GHOST_ID_2,))
    statement = values_statement(rows)
    community = CommunityFactory(slug="riverside")
    assert statement.run(community.pk) == [("riverside",)]


def test_the_month_rows_are_the_orms(community):
    series = ActivityFactory(community=community, start=MARCH, recurrence="FREQ=WEEKLY")  # no end
    OccurrenceChangeFactory(activity=series, original_start=MARCH + timedelta(days=7), cancelled=True)
    OccurrenceChangeFactory(
        activity=series,
        original_start=MARCH + timedelta(days=14),
        new_start=MARCH + timedelta(days=15),
        new_end=MARCH + timedelta(days=15, hours=1),
    )
    ActivityFactory(community=community, start=MARCH + timedelta(days=3), all_day=True, time_zone="Asia/Tokyo")
    ActivityFactory(community=community, start=MARCH + timedelta(days=90))  # another month
    ActivityFactory(start=MARCH)  # another community
    _weeks, start, end = calendar_selectors.month_window(MARCH.date().replace(day=1))
    compiled = calendar_selectors.month_rows(community=community, start=start, end=end)
    orm = list(calendar_selectors._month_rows_query(community_id=community.pk, start=start, end=end))
    assert compiled == orm
    assert repr(compiled) == repr(orm)  # the grid's cache key digests their repr
    assert len(compiled) == 3  # the series twice (two exceptions), the all-day activity once


def test_the_poll_pages_counts_and_answer_are_the_orms(community, member):
    poll = PollFactory(community=community, kind="multiple")
    yes, no, unsure = poll.choices.all()
    add_ballot(poll, member, yes, unsure)
    for _ in range(3):
        add_ballot(poll, MembershipFactory(community=community).user, no)
    for query, values in (
        (poll_selectors._counts_query, {"poll_id": poll.pk, "community_id": community.pk}),
        (poll_selectors._answer_query, {"poll_id": poll.pk, "voter_id": member.pk}),
    ):
        assert poll_selectors._rows(query, **values) == list(query(**values))
    answer = poll_selectors.my_answer(poll=poll, user=member)
    assert answer.answered
    assert answer.choice_ids == {yes.pk, unsure.pk}
    results = poll_selectors.poll_results(poll=poll, with_districts=False)
    assert (results.voters, results.members) == (4, Membership.objects.filter(community=community).count())
    assert [(row.choice.label, row.count) for row in results.choices] == [("Yes", 1), ("No", 3), ("Not sure", 1)]
