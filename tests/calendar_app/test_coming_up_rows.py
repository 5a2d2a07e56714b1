"""The community home's "Coming up" rows come from the fragment cache (``{% coming_up_rows %}``, issue 19):
they are exactly what the panel's loop drew before, a kept row is not drawn again, and a change to an
activity shows at once."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, engines

from calendar_app.models import Activity
from calendar_app.selectors import soonest_occurrences
from core import fragments as core_fragments
from tests.calendar_app.factories import ActivityFactory
from tests.drawn import templates_drawn

pytestmark = pytest.mark.django_db

# The loop home_panel.html had before the rows were kept: one <li> per occurrence.
BEFORE = (
    "{% load dates icons %}{% for o in occurrences %}"
    "<li class=\"mb-2{% if o.activity.kind == 'chat' %} next-chat{% endif %}\">"
    '{% kind_icon "activity" o.activity.kind %} <a href="{{ o.url }}">{{ o.activity.title }}</a>'
    '<div class="small text-body-secondary">{% if o.activity.all_day %}{{ o.local_date|day }}{% else %}'
    '<time datetime="{{ o.start|iso }}">{{ o.start|when }}</time>{% endif %} · {{ o.activity.get_kind_display }}</div>'
    "</li>{% endfor %}"
)


def squeezed(html):
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


def drawn(source, occurrences):
    return squeezed(engines["django"].engine.from_string(source).render(Context({"occurrences": occurrences})))


def through_the_tag(occurrences):
    return drawn("{% load coming_up %}{% coming_up_rows occurrences %}", occurrences)


@pytest.fixture
def occurrences(community):
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    ActivityFactory(community=community, title='Chat "about" <rubrics>', start=soon)
    ActivityFactory(community=community, title="Webinar", kind=Activity.Kind.WEBINAR, start=soon + timedelta(hours=3))
    ActivityFactory(
        community=community,
        title="All-day workshop",
        kind=Activity.Kind.MEETING,
        all_day=True,
        time_zone="America/Chicago",
        start=soon + timedelta(days=1),
    )
    ActivityFactory(community=community, title="Weekly chat", start=soon + timedelta(days=2), recurrence="FREQ=WEEKLY")
    now = datetime.now(UTC)
    return soonest_occurrences(community=community, start=now, end=now + timedelta(days=120), limit=5)


def test_rows_are_what_the_loop_drew(occurrences):
    assert len(occurrences) == 5
    assert any(o.original_start for o in occurrences)  # a series' dates link to their date
    assert through_the_tag(occurrences) == drawn(BEFORE, occurrences)
    assert through_the_tag(occurrences) == drawn(BEFORE, occurrences)  # from the cache this time


def test_a_kept_row_is_not_drawn_again_and_a_change_shows_at_once(monkeypatch, occurrences, community):
    through_the_tag(occurrences)
    drawn_names = templates_drawn(monkeypatch, core_fragments)
    through_the_tag(occurrences)
    assert drawn_names == []
    Activity.objects.filter(title="Webinar").update(title="Webinar, moved")
    now = datetime.now(UTC)
    again = soonest_occurrences(community=community, start=now, end=now + timedelta(days=120), limit=5)
    assert "Webinar, moved" in through_the_tag(again)
    assert drawn_names == ["calendar_app/includes/coming_up_row.html"]
