"""Issue 15.3: a legal-looking repeat rule can never make the calendar compute thousands of dates."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from calendar_app import selectors
from calendar_app.models import Activity
from calendar_app.recurrence import MAX_COUNT, check_rule
from tests.calendar_app.conftest import chicago
from tests.calendar_app.factories import ActivityFactory
from tests.factories import MembershipFactory

EVERY_MINUTE = "FREQ=DAILY;BYHOUR={};BYMINUTE={}".format(
    ",".join(str(h) for h in range(24)), ",".join(str(m) for m in range(60))
)


@pytest.mark.parametrize(
    "rule",
    [
        EVERY_MINUTE,
        "FREQ=DAILY;BYHOUR=9,15",
        "FREQ=WEEKLY;BYDAY=MO;BYMINUTE=0,30",
        "FREQ=MONTHLY;BYDAY=+2TU;BYSECOND=0,1,2",
        "FREQ=DAILY;BYHOUR=16,17;BYSETPOS=1,2",
        "FREQ=YEARLY;BYHOUR=16",
        "FREQ=HOURLY;COUNT=5",
        "FREQ=YEARLY;BYEASTER=0",
    ],
)
def test_rules_that_repeat_within_a_day_are_refused(rule):
    with pytest.raises(ValidationError) as caught:
        check_rule(rule, chicago(2026, 1, 13, 16))
    message = caught.value.messages[0]
    assert "once a day" in message or "do not support" in message


def test_a_series_longer_than_the_cap_is_refused_whether_it_ends_by_count_or_by_until():
    start = chicago(2026, 1, 13, 16)
    with pytest.raises(ValidationError, match=f"at most {MAX_COUNT} times"):
        check_rule(f"FREQ=DAILY;COUNT={MAX_COUNT + 1}", start)
    with pytest.raises(ValidationError, match=f"at most {MAX_COUNT} times"):
        check_rule("FREQ=DAILY;UNTIL=20300101T000000Z", start)  # about 1,450 dates
    check_rule(f"FREQ=DAILY;COUNT={MAX_COUNT}", start)
    check_rule("FREQ=WEEKLY;BYDAY=TU;UNTIL=20300101T000000Z", start)  # about 200 dates: fine


def test_ordinary_rules_still_pass():
    for rule in ("FREQ=MONTHLY;BYDAY=+2TU;COUNT=12", "FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=DAILY", "FREQ=YEARLY"):
        check_rule(rule, chicago(2026, 1, 13, 16))


@pytest.mark.django_db
def test_the_scheduling_form_refuses_a_minutely_rule_and_keeps_the_text(client, community, leader):
    client.force_login(leader)
    start = datetime.now(UTC) + timedelta(days=2)
    response = client.post(
        reverse("calendar_app:new", kwargs={"slug": community.slug}),
        {
            "title": "Minute by minute",
            "kind": "chat",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "UTC",
            "repeats": "custom",
            "custom_rule": EVERY_MINUTE,
        },
    )
    assert response.status_code == 400
    assert "once a day" in response.content.decode()
    assert "Minute by minute" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.django_db
def test_a_minutely_rule_stored_before_the_check_shows_at_most_one_date_a_day(client, community):
    """Rows written before the rule was refused are read as once a day: the pages stay small and fast."""
    start = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0) - timedelta(days=400)
    activity = ActivityFactory(community=community, start=start, end=start + timedelta(minutes=30))
    Activity.objects.filter(pk=activity.pk).update(recurrence=EVERY_MINUTE, span_end=None)
    member = MembershipFactory(community=community).user
    client.force_login(member)
    began = time.monotonic()
    month = client.get(reverse("calendar_app:month", kwargs={"slug": community.slug}))
    detail = client.get(activity.get_absolute_url())
    mine = client.get(reverse("calendar_app:my_calendar"))
    feed = client.get(reverse("calendar_app:community_feed", kwargs={"slug": community.slug}))
    assert time.monotonic() - began < 10
    assert {month.status_code, detail.status_code, mine.status_code, feed.status_code} == {200}
    assert len(month.content) < 300_000
    assert len(mine.content) < 300_000
    assert b"BYMINUTE" not in feed.content
    activity.refresh_from_db()
    now = datetime.now(UTC)
    dates = [o.start for o in activity.occurrences_between(now, now + timedelta(days=31))]
    assert len(dates) == len({d.date() for d in dates}) <= 32


@pytest.mark.django_db
def test_a_series_is_expanded_lazily_within_the_window(community):
    start = datetime(2020, 1, 6, 16, tzinfo=UTC)
    activity = ActivityFactory(
        community=community, start=start, end=start + timedelta(hours=1), recurrence="FREQ=DAILY"
    )
    window_start = datetime(2026, 3, 1, tzinfo=UTC)
    starts = activity.original_starts_between(window_start, window_start + timedelta(days=3650), limit=5)
    assert starts == [window_start.replace(hour=16) + timedelta(days=n) for n in range(5)]


@pytest.mark.django_db
def test_a_page_lists_at_most_the_cap_of_occurrences(community, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_OCCURRENCES_PER_PAGE", 40)
    start = datetime(2026, 3, 1, 9, tzinfo=UTC)
    for n in range(3):
        ActivityFactory(
            community=community,
            title=f"Daily {n}",
            start=start + timedelta(hours=n),
            end=start + timedelta(hours=n, minutes=30),
            recurrence="FREQ=DAILY",
        )
    found = selectors.occurrences_for_community(community=community, start=start, end=start + timedelta(days=31))
    assert len(found) == 40
    assert found == sorted(found, key=lambda o: (o.start, o.activity.title))
