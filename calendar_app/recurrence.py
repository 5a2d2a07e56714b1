"""Build and check RFC 5545 recurrence rules with python-dateutil (no hand-written date arithmetic)."""

import itertools
import zoneinfo
from datetime import datetime, time, timedelta
from functools import lru_cache

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrulestr
from django.core.exceptions import ValidationError

ALLOWED_FREQUENCIES = {DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY", YEARLY: "YEARLY"}
WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
MAX_COUNT = 500  # occurrences of one series, whether it ends by COUNT or by UNTIL
MAX_YEARS = 10
# Parts that pick days. The time of day is always the activity's start time, so BYHOUR,
# BYMINUTE and BYSECOND (which multiply occurrences within a day) are refused, as is
# anything else (dateutil's BYEASTER, RFC 7529's RSCALE...).
ALLOWED_PARTS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO"}
ALLOWED_PARTS |= {"BYMONTH", "BYSETPOS"}
INTRADAY_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")


class Repeat:
    NONE = ""
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    MONTHLY_DATE = "monthly_date"
    MONTHLY_LAST_WEEKDAY = "monthly_last_weekday"
    CUSTOM = "custom"

    CHOICES = [
        (NONE, "Does not repeat"),
        (WEEKLY, "Every week on the same day"),
        (MONTHLY_WEEKDAY, "Every month on the same weekday (for example the second Tuesday)"),
        (MONTHLY_DATE, "Every month on the same date"),
        (MONTHLY_LAST_WEEKDAY, "Every month on the last of that weekday (for example the last Friday)"),
        (CUSTOM, "Custom rule (iCalendar RRULE)"),
    ]


def nth_weekday(local_start):
    """``(n, code)`` for the weekday of a date within its month: (2, "TU") is the second Tuesday; n=-1 is the last."""
    n = (local_start.day - 1) // 7 + 1
    if n == 5:
        n = -1
    return n, WEEKDAY_CODES[local_start.weekday()]


def build_rule(*, repeat, local_start, count=None, until=None, custom=""):
    """The RRULE value for a choice on the scheduling form (``until`` is a local date, inclusive)."""
    if repeat == Repeat.NONE:
        return ""
    if repeat == Repeat.CUSTOM:
        text = (custom or "").strip()
        if text.upper().startswith("RRULE:"):
            text = text[6:]
        return text
    if repeat == Repeat.WEEKLY:
        parts = ["FREQ=WEEKLY", f"BYDAY={WEEKDAY_CODES[local_start.weekday()]}"]
    elif repeat == Repeat.MONTHLY_WEEKDAY:
        n, code = nth_weekday(local_start)
        parts = ["FREQ=MONTHLY", f"BYDAY={n:+d}{code}"]
    elif repeat == Repeat.MONTHLY_LAST_WEEKDAY:
        parts = ["FREQ=MONTHLY", f"BYDAY=-1{WEEKDAY_CODES[local_start.weekday()]}"]
    elif repeat == Repeat.MONTHLY_DATE:
        parts = ["FREQ=MONTHLY", f"BYMONTHDAY={local_start.day}"]
    else:
        raise ValidationError("Pick how the activity repeats from the list.")
    if until is not None:
        last = datetime.combine(until, time(23, 59, 59), tzinfo=local_start.tzinfo)
        parts.append("UNTIL=" + last.astimezone(zoneinfo.ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ"))
    elif count:
        parts.append(f"COUNT={count}")
    return ";".join(parts)


def _check_parts(rule):
    if len(rule) > 500 or any(char in rule for char in "\r\n:") or "DTSTART" in rule.upper():
        raise ValidationError("Write only the rule itself, for example FREQ=MONTHLY;BYDAY=+2TU;COUNT=12.")
    names = {part.split("=", 1)[0].strip().upper() for part in rule.split(";") if part.strip()}
    if names & set(INTRADAY_PARTS):
        raise ValidationError(
            "An activity can repeat at most once a day, at its start time: leave out BYHOUR, BYMINUTE and BYSECOND."
        )
    if names - ALLOWED_PARTS:
        raise ValidationError(
            f"That repeat rule uses {', '.join(sorted(names - ALLOWED_PARTS))}, which we do not support. "
            "Try for example FREQ=MONTHLY;BYDAY=+2TU;COUNT=12."
        )


def _parse(rule, local_start):
    try:
        return rrulestr(rule, dtstart=local_start)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as exc:
        if "UNTIL" in str(exc):
            raise ValidationError(
                "Write UNTIL in UTC with a Z at the end, for example UNTIL=20270630T235959Z."
            ) from exc
        raise ValidationError(
            "That repeat rule is not one we understand. Try for example FREQ=MONTHLY;BYDAY=+2TU;COUNT=12."
        ) from exc


def _check_size(parsed, local_start):
    """At most once a day and at most MAX_COUNT dates, checked lazily (a series is never expanded whole)."""
    if parsed._count and parsed._count > MAX_COUNT:
        raise ValidationError(f"An activity can repeat at most {MAX_COUNT} times.")
    if parsed._until and parsed._until > local_start + timedelta(days=MAX_YEARS * 366):
        raise ValidationError(f"A repeating activity can run for at most {MAX_YEARS} years.")
    ends = parsed._count or parsed._until
    if ends and sum(1 for _ in itertools.islice(parsed, MAX_COUNT + 1)) > MAX_COUNT:
        raise ValidationError(f"An activity can repeat at most {MAX_COUNT} times. End it sooner.")
    sample = list(itertools.islice(parsed, 2 * 366))
    if len({moment.date() for moment in sample}) != len(sample):
        raise ValidationError("An activity can repeat at most once a day.")


def check_rule(rule, local_start):
    """Raise ValidationError with a teacher-readable message unless ``rule`` is a usable RRULE.

    Usable: parses, uses only day-picking parts, happens at most once a day and at most
    MAX_COUNT times, and its first occurrence is the activity's start.
    """
    if not rule:
        return
    _check_parts(rule)
    parsed = _parse(rule, local_start)
    if getattr(parsed, "_freq", None) not in ALLOWED_FREQUENCIES:
        raise ValidationError("An activity can repeat at most once a day.")
    try:
        first = parsed.after(local_start - timedelta(seconds=1), inc=True)
    except (ValueError, OverflowError) as exc:
        raise ValidationError("That repeat rule never produces a date.") from exc
    if first is None:
        raise ValidationError("That repeat rule never produces a date.")
    _check_size(parsed, local_start)
    if first != local_start:
        raise ValidationError(
            f"The start date does not match the repeat rule: its first date would be {first:%A %B %-d, %Y}. "
            "Pick a start date that fits the rule."
        )


def safe_rule(rule):
    """``rule`` without the parts that repeat within a day (rules stored before they were refused)."""
    parts = [part for part in rule.split(";") if part.split("=", 1)[0].strip().upper() not in INTRADAY_PARTS]
    return ";".join(parts)


@lru_cache(maxsize=4096)
def _series(rule, local_start):
    """``rule`` parsed from ``local_start``, once per process: parsing took a fifth of expanding a series
    for the community home's panels. An rrule (built with cache=False) keeps no state between iterations,
    so one object serves every caller."""
    return rrulestr(safe_rule(rule), dtstart=local_start)


def starts_between(rule, local_start, after, before, *, limit):
    """At most ``limit`` starts of ``rule`` in [after, before), computed lazily (never the whole series)."""
    found = []
    for moment in _series(rule, local_start).xafter(after, inc=True):
        if moment >= before or len(found) >= limit:
            break
        found.append(moment)
    return found


def last_occurrence_start(rule, local_start):
    """The last start of a rule that ends (COUNT or UNTIL), or None for a rule that goes on."""
    parsed = rrulestr(safe_rule(rule), dtstart=local_start)
    if not parsed._count and not parsed._until:
        return None
    last = None
    for last in itertools.islice(parsed, MAX_COUNT):  # noqa: B007 - check_rule caps a series at MAX_COUNT
        pass
    return last


DAY_NAMES = dict(
    zip(WEEKDAY_CODES, ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], strict=True)
)
FREQ_NAMES = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def describe_rule(rule, zone):
    """A sentence for the common rules ("Every month on the second Tuesday, 12 times"); the rule itself otherwise."""
    parts = dict(part.split("=", 1) for part in rule.upper().split(";") if "=" in part)
    freq = FREQ_NAMES.get(parts.get("FREQ", ""))
    if freq is None or set(parts) - {"FREQ", "BYDAY", "BYMONTHDAY", "COUNT", "UNTIL", "INTERVAL"}:
        return f"Repeats ({rule})"
    interval = parts.get("INTERVAL", "1")
    text = f"Every {freq}" if interval == "1" else f"Every {interval} {freq}s"
    byday = parts.get("BYDAY", "")
    if "," in byday or "," in parts.get("BYMONTHDAY", ""):
        return f"Repeats ({rule})"
    if byday:
        n, code = byday[:-2], byday[-2:]
        if code not in DAY_NAMES:
            return f"Repeats ({rule})"
        ordinal = ORDINALS.get(int(n)) if n.lstrip("+-").isdigit() else None
        text += f" on the {ordinal} {DAY_NAMES[code]}" if ordinal else f" on {DAY_NAMES[code]}"
    elif "BYMONTHDAY" in parts:
        text += f" on day {parts['BYMONTHDAY']}"
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    elif "UNTIL" in parts:
        try:
            # UNTIL is written in UTC (RFC 5545); read it as such.
            until = datetime.strptime(parts["UNTIL"].rstrip("Z") + "+0000", "%Y%m%dT%H%M%S%z")
        except ValueError:
            return f"Repeats ({rule})"
        local = until.astimezone(zone)
        text += f", until {local:%B %-d, %Y}"
    return text
