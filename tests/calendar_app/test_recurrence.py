from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from calendar_app.recurrence import Repeat, build_rule, check_rule
from calendar_app.services import schedule_activity
from tests.calendar_app.conftest import chicago


def test_second_tuesday_rule_is_built_from_the_start_date():
    rule = build_rule(repeat=Repeat.MONTHLY_WEEKDAY, local_start=chicago(2026, 1, 13, 16), count=12)
    assert rule == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"


def test_last_weekday_of_a_month_repeats_on_the_last_one():
    rule = build_rule(repeat=Repeat.MONTHLY_WEEKDAY, local_start=chicago(2026, 1, 29, 16), count=3)
    assert rule == "FREQ=MONTHLY;BYDAY=-1TH;COUNT=3"


def test_until_date_becomes_an_utc_until():
    rule = build_rule(
        repeat=Repeat.WEEKLY, local_start=chicago(2026, 1, 5, 9), until=datetime(2026, 2, 2, tzinfo=UTC).date()
    )
    assert rule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260203T055959Z"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "FREQ=MONTHLY;BYDAY=+9XX",
        "FREQ=MINUTELY;COUNT=5",
        "DTSTART:20260101T000000Z",
        "FREQ=DAILY;COUNT=100000",
    ],
)
def test_invalid_rules_are_refused_with_a_message(rule):
    with pytest.raises(ValidationError) as caught:
        check_rule(rule, chicago(2026, 1, 13, 16))
    assert caught.value.messages[0]


def test_a_start_date_that_does_not_fit_the_rule_is_refused():
    with pytest.raises(ValidationError, match="does not match"):
        check_rule("FREQ=MONTHLY;BYDAY=+2TU;COUNT=3", chicago(2026, 1, 14, 16))


@pytest.mark.django_db
def test_second_tuesday_at_4pm_chicago_stays_4pm_across_daylight_saving(leader_access):
    start = chicago(2026, 1, 13, 16)
    activity = schedule_activity(
        access=leader_access,
        title="Monthly chat",
        kind="chat",
        start=start,
        end=start + timedelta(hours=1),
        time_zone="America/Chicago",
        recurrence="FREQ=MONTHLY;BYDAY=+2TU;COUNT=12",
    )
    occurrences = activity.occurrences_between(start, start + timedelta(days=400))
    local = [o.start.astimezone(activity.zone) for o in occurrences]
    assert len(local) == 12
    assert {(t.hour, t.minute) for t in local} == {(16, 0)}
    assert all(t.weekday() == 1 and 8 <= t.day <= 14 for t in local)
    # In UTC the hour moves with daylight saving: 22:00 in January, 21:00 in March after the change.
    assert occurrences[0].start.hour == 22
    assert occurrences[2].start.astimezone(UTC).hour == 21
    assert activity.span_end == occurrences[-1].end


@pytest.mark.django_db
def test_every_first_monday_custom_rule(leader_access):
    start = chicago(2026, 2, 2, 9)
    activity = schedule_activity(
        access=leader_access,
        title="Office hours",
        kind="meeting",
        start=start,
        end=start + timedelta(minutes=30),
        time_zone="America/Chicago",
        recurrence="FREQ=MONTHLY;BYDAY=1MO;COUNT=4",
    )
    days = [
        o.start.astimezone(activity.zone).date().isoformat()
        for o in activity.occurrences_between(start, start + timedelta(days=200))
    ]
    assert days == ["2026-02-02", "2026-03-02", "2026-04-06", "2026-05-04"]


@pytest.mark.parametrize(
    ("rule", "text"),
    [
        ("FREQ=MONTHLY;BYDAY=+2TU;COUNT=12", "Every month on the second Tuesday, 12 times"),
        ("FREQ=MONTHLY;BYDAY=1MO,3MO", "Repeats (FREQ=MONTHLY;BYDAY=1MO,3MO)"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20260203T055959Z", "Every week on Monday, until February 2, 2026"),
    ],
)
def test_rules_are_described_in_words(rule, text):
    from calendar_app.recurrence import describe_rule
    from tests.calendar_app.conftest import CHICAGO

    assert describe_rule(rule, CHICAGO) == text
