"""The period a record or report covers: dates in, half-open UTC moments out.

A school year runs from August 1 to July 31; pages default to the school year so far.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

SCHOOL_YEAR_STARTS = 8  # August
MIN_YEAR, MAX_YEAR = 1970, 2200


def school_year_start(today):
    year = today.year if today.month >= SCHOOL_YEAR_STARTS else today.year - 1
    return date(year, SCHOOL_YEAR_STARTS, 1)


@dataclass(frozen=True)
class Period:
    first: date  # inclusive
    last: date  # inclusive

    @property
    def start(self):
        """The first moment, in the current (viewer's) zone."""
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self):
        """The moment after the last day ends."""
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))

    @property
    def days(self):
        return (self.last - self.first).days + 1

    def months(self):
        """The first day of each month the period touches."""
        month = self.first.replace(day=1)
        found = []
        while month <= self.last:
            found.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return found

    def query(self):
        return f"from={self.first.isoformat()}&to={self.last.isoformat()}"


def _parse(text, name):
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(f"Enter the {name} date as YYYY-MM-DD, for example 2026-09-01.") from None
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Pick a {name} year between {MIN_YEAR} and {MAX_YEAR}.")
    return value


def period_from(params, *, today=None):
    """The period ``?from=&to=`` names; the school year so far when both are missing.

    Raises ValidationError (400) for a date that is not one, or an end before the start.
    """
    today = today or timezone.localdate()
    raw_first, raw_last = (params.get("from") or "")[:20], (params.get("to") or "")[:20]
    first = _parse(raw_first, "start") if raw_first.strip() else school_year_start(today)
    last = _parse(raw_last, "end") if raw_last.strip() else max(today, first)
    if last < first:
        raise ValidationError("The period ends before it starts. Pick an end date on or after the start date.")
    if (last - first).days > 3 * 366:
        raise ValidationError("Pick a period of at most three years.")
    return Period(first=first, last=last)
