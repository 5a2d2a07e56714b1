"""Pulse polls that open a new round by themselves (issue 18, item 3)."""

from datetime import UTC, datetime, timedelta

import pytest

from communities.permissions import access_for
from polls import services
from polls.models import Poll, PollSeries
from polls.tasks import open_due_rounds
from tests.polls.factories import PollFactory

pytestmark = pytest.mark.django_db


def test_monthly_rounds_open_once_across_two_beat_runs(community, moderator):
    poll = PollFactory(
        community=community, created_by=moderator, opens_at=datetime(2027, 1, 3, 15, tzinfo=UTC), closes_at=None
    )
    series = services.set_poll_repeat(access=access_for(moderator, community), poll=poll, every="month", day=3)
    assert series.repeat_rule == "FREQ=MONTHLY;BYMONTHDAY=3"
    assert series.next_round_at > datetime.now(UTC)
    # Three periods later, the beat runs twice in a row (and once more the next minute).
    PollSeries.objects.filter(pk=series.pk).update(next_round_at=datetime(2027, 2, 3, 15, tzinfo=UTC))
    now = datetime(2027, 2, 3, 15, 5, tzinfo=UTC)
    first = services.open_due_rounds(now=now)
    second = services.open_due_rounds(now=now)
    third = services.open_due_rounds(now=now + timedelta(minutes=1))
    assert len(first) == 1
    assert second == third == []
    rounds = list(Poll.objects.filter(series=series).order_by("round"))
    assert [p.round for p in rounds] == [1, 2]
    assert rounds[0].closes_at == rounds[1].opens_at == datetime(2027, 2, 3, 15, tzinfo=UTC)
    assert rounds[1].closes_at == datetime(2027, 3, 3, 15, tzinfo=UTC)
    assert [c.label for c in rounds[1].choices.all()] == ["Yes", "No", "Not sure"]
    series.refresh_from_db()
    assert series.next_round_at == datetime(2027, 3, 3, 15, tzinfo=UTC)
    # The next month, one more round; the one before closes.
    services.open_due_rounds(now=datetime(2027, 3, 3, 16, tzinfo=UTC))
    services.open_due_rounds(now=datetime(2027, 3, 3, 16, tzinfo=UTC))
    assert Poll.objects.filter(series=series).count() == 3


def test_a_beat_that_missed_periods_opens_one_round_for_the_latest(community, moderator):
    poll = PollFactory(
        community=community, created_by=moderator, opens_at=datetime(2027, 1, 1, 9, tzinfo=UTC), closes_at=None
    )
    series = services.set_poll_repeat(access=access_for(moderator, community), poll=poll, every="weeks", weeks=2)
    PollSeries.objects.filter(pk=series.pk).update(next_round_at=datetime(2027, 1, 15, 9, tzinfo=UTC))
    opened = services.open_due_rounds(now=datetime(2027, 2, 20, tzinfo=UTC))
    assert [p.opens_at for p in opened] == [datetime(2027, 2, 12, 9, tzinfo=UTC)]


def test_the_beat_task_is_named_and_limited(settings):
    assert open_due_rounds.name == "polls.open_due_rounds"
    assert open_due_rounds.soft_time_limit
    assert open_due_rounds.time_limit
    assert settings.CELERY_BEAT_SCHEDULE["polls-open-due-rounds"]["task"] == "polls.open_due_rounds"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"every": "weeks", "weeks": "0"}, "not 0"),
        ({"every": "weeks", "weeks": "abc"}, "whole number"),
        ({"every": "month", "day": "31"}, "1 to 28"),
        ({"every": "fortnightly"}, "valid choice"),
    ],
)
def test_bad_repeats_are_refused_with_a_clear_400(client, community, moderator, data, message):
    poll = PollFactory(community=community, created_by=moderator)
    client.force_login(moderator)
    response = client.post(f"/c/{community.slug}/polls/{poll.pk}/repeat/auto/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PollSeries.objects.exclude(repeat_rule="").exists()


def test_leader_sets_a_monthly_repeat_from_the_page(client, community, moderator):
    poll = PollFactory(community=community, created_by=moderator)
    client.force_login(moderator)
    page = client.get(f"/c/{community.slug}/polls/{poll.pk}/repeat/").content.decode()
    assert "Or let it repeat by itself" in page
    response = client.post(f"/c/{community.slug}/polls/{poll.pk}/repeat/auto/", {"every": "month", "day": "1"})
    assert response.status_code == 302
    poll.refresh_from_db()
    assert poll.series.repeat_rule == "FREQ=MONTHLY;BYMONTHDAY=1"


def test_members_may_not_set_a_repeat(client, community, member, moderator):
    poll = PollFactory(community=community, created_by=moderator)
    client.force_login(member)
    response = client.post(f"/c/{community.slug}/polls/{poll.pk}/repeat/auto/", {"every": "month", "day": "1"})
    assert response.status_code == 403
