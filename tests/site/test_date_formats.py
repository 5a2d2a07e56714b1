"""One date and time style (core/dates.py): templates name a style, never a format string."""

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone

from core import dates

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
RAW_FORMAT = re.compile(r"\|\s*(date|time)\b")


def test_no_template_writes_its_own_date_format():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()}"
        for path in sorted(TEMPLATES.rglob("*"))
        if path.is_file()
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if RAW_FORMAT.search(line)
    ]
    assert not offenders, "use |when, |day, |clock, |month, |iso or |month_key from {% load dates %}:\n" + "\n".join(
        offenders
    )


MOMENT = dt.datetime(2026, 7, 14, 22, 0, 0, 123456, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("America/Chicago", "Tue, Jul 14, 2026, 5:00 PM CDT"),
        ("UTC", "Tue, Jul 14, 2026, 10:00 PM UTC"),
        ("Asia/Kolkata", "Wed, Jul 15, 2026, 3:30 AM IST"),
        ("America/Sao_Paulo", "Tue, Jul 14, 2026, 7:00 PM UTC-03"),
    ],
)
def test_a_time_is_written_in_the_viewers_zone_and_names_it(zone, expected):
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        assert Template("{% load dates %}{{ moment|when }}").render(Context({"moment": MOMENT})) == expected


def test_the_styles():
    with timezone.override(zoneinfo.ZoneInfo("America/Chicago")):
        assert dates.day(MOMENT) == "Tue, Jul 14, 2026"
        assert dates.day(dt.date(2026, 7, 14)) == "Tue, Jul 14, 2026"
        assert dates.clock(MOMENT) == "5:00 PM CDT"
        assert dates.month(dt.date(2026, 7, 1)) == "July 2026"
        assert dates.when(dt.date(2026, 7, 14)) == "Tue, Jul 14, 2026"
        # <time datetime> takes at most three digits of a second: whole seconds, with the offset.
        assert dates.iso(MOMENT) == "2026-07-14T17:00:00-05:00"
        assert dates.month_key(MOMENT) == "2026-07"
    assert dates.when(None) == dates.day(None) == dates.month(None) == dates.iso(None) == ""
