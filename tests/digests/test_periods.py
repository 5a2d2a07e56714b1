import datetime as dt

import pytest

from digests.periods import InvalidPeriod, current_period, next_monthly_period, parse_period


def test_a_month_covers_its_days_and_looks_back_on_the_month_before():
    period = parse_period("2027-06")
    assert (period.start, period.end) == (
        dt.datetime(2027, 6, 1, tzinfo=dt.UTC),
        dt.datetime(2027, 7, 1, tzinfo=dt.UTC),
    )
    assert period.since == dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
    assert period.title == "June 2027"


def test_december_runs_into_january():
    period = parse_period("2027-12")
    assert period.end == dt.datetime(2028, 1, 1, tzinfo=dt.UTC)


def test_a_week_starts_on_its_monday():
    period = parse_period("2027-W23")
    assert period.kind == "weekly"
    assert period.start == dt.datetime(2027, 6, 7, tzinfo=dt.UTC)
    assert period.end - period.start == dt.timedelta(days=7)


@pytest.mark.parametrize("value", ["", "2027", "2027-13", "2027-6", "June 2027", "2027-W54", "2027-06-01", "x" * 50])
def test_a_bad_period_is_refused_with_the_formats_spelled_out(value):
    with pytest.raises(InvalidPeriod, match="YYYY-MM"):
        parse_period(value)


def test_the_run_on_the_first_sends_that_months_digest():
    assert current_period(now=dt.datetime(2027, 6, 1, 13, tzinfo=dt.UTC)).key == "2027-06"
    assert current_period("weekly", now=dt.datetime(2027, 6, 9, tzinfo=dt.UTC)).key == "2027-W23"


def test_notes_are_written_for_the_next_run():
    assert next_monthly_period(dt.datetime(2027, 6, 1, 12, tzinfo=dt.UTC), day_of_month=1, hour=13).key == "2027-06"
    assert next_monthly_period(dt.datetime(2027, 6, 1, 14, tzinfo=dt.UTC), day_of_month=1, hour=13).key == "2027-07"
    assert next_monthly_period(dt.datetime(2027, 12, 20, tzinfo=dt.UTC), day_of_month=1, hour=13).key == "2028-01"
