"""Digest periods: ``2027-06`` for a monthly digest, ``2027-W23`` for a weekly one.

A period says which window the calls to action cover (``start``..``end``, the
coming month or week) and which window the curated content looks back on
(``since``..``start``, the month or week before). All times are UTC.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

MONTHLY = "monthly"
WEEKLY = "weekly"

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_WEEK_RE = re.compile(r"^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$")


FIRST_YEAR, LAST_YEAR = 1970, 2200


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    key: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    since: dt.datetime

    @property
    def label(self):
        if self.kind == MONTHLY:
            return self.start.strftime("%B %Y")
        return f"week of {self.start.day} {self.start.strftime('%B %Y')}"

    @property
    def title(self):
        """The subject's words: "June 2027" or "week of 7 June 2027"."""
        return self.label

    @property
    def coming_label(self):
        return "this month" if self.kind == MONTHLY else "this week"


def _utc(year, month, day):
    return dt.datetime(year, month, day, tzinfo=dt.UTC)


def _add_months(moment, months):
    index = moment.year * 12 + moment.month - 1 + months
    return _utc(index // 12, index % 12 + 1, 1)


def parse_period(value: str) -> "Period":
    """``"2027-06"`` or ``"2027-W23"`` to a Period; InvalidPeriod with a readable message otherwise."""
    value = (value or "").strip()
    match = _MONTH_RE.match(value) or _WEEK_RE.match(value)
    if match and not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        raise InvalidPeriod(f"“{value}” is too far away. Pick a period between {FIRST_YEAR} and {LAST_YEAR}.")
    match = _MONTH_RE.match(value)
    if match:
        start = _utc(int(match[1]), int(match[2]), 1)
        return Period(key=value, kind=MONTHLY, start=start, end=_add_months(start, 1), since=_add_months(start, -1))
    match = _WEEK_RE.match(value)
    if match:
        try:
            day = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
        except ValueError as exc:
            raise InvalidPeriod(f"“{value}” is not a week that exists.") from exc
        start = _utc(day.year, day.month, day.day)
        week = dt.timedelta(days=7)
        return Period(key=value, kind=WEEKLY, start=start, end=start + week, since=start - week)
    raise InvalidPeriod(
        f"“{value}” is not a period. Use YYYY-MM for a month (2027-06) or YYYY-Www for a week (2027-W23)."
    )


def current_period(kind=MONTHLY, now=None):
    """The period a run starting at ``now`` sends: this month, or this ISO week."""
    now = timezone.localtime(now or timezone.now(), dt.UTC)
    if kind == MONTHLY:
        return parse_period(f"{now.year:04d}-{now.month:02d}")
    year, week, _ = now.isocalendar()
    return parse_period(f"{year:04d}-W{week:02d}")


def next_monthly_period(now=None, day_of_month=1, hour=0):
    """The monthly period of the next scheduled run: this month until its run has started, then next month."""
    now = timezone.localtime(now or timezone.now(), dt.UTC)
    this_month = current_period(MONTHLY, now)
    run_at = this_month.start.replace(day=min(day_of_month, 28), hour=hour)
    return this_month if now < run_at else parse_period(_add_months(this_month.start, 1).strftime("%Y-%m"))


def rolling_window(now=None, days=31):
    """The window the site home's "What needs me" covers: from now for about a month."""
    now = now or timezone.now()
    return Period(
        key="", kind=MONTHLY, start=now, end=now + dt.timedelta(days=days), since=now - dt.timedelta(days=days)
    )
