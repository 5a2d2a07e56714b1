"""The library's filter form is written out by hand (resources/includes/filter_form.html, issue 19):
it must give the markup crispy-forms gave, labels, ids, selected values and errors included."""

import re

import pytest
from django.template import Context, Template

from communities.permissions import access_for
from resources.filters import ResourceFilter
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db

CASES = [
    None,
    {},
    {"kind": "article", "grade_band": "3-5", "sort": "useful", "q": 'rubrics "that" <work>'},
    {"q": "x" * 300, "kind": "no-such-kind", "focus_area": "999999", "status": "approved", "subject": "cs"},
    {"sort": "featured", "status": "nonsense"},
]


def squeezed(html):
    """Whitespace between tags does not change the page; everything else must match."""
    return re.sub(r"\s+", " ", re.sub(r">\s+", ">", re.sub(r"\s+<", "<", html))).strip()


@pytest.mark.parametrize("data", CASES)
@pytest.mark.parametrize("who", ["member", "moderator"])
def test_hand_written_filter_form_matches_crispy(community, member, moderator, data, who):
    area = FocusAreaFactory(community=community, name="Coding & <robots>")
    FocusAreaFactory(community=community)
    if data is not None and "focus_area" in data and data["focus_area"] != "999999":
        data = {**data, "focus_area": str(area.pk)}
    access = access_for(member if who == "member" else moderator, community)
    filter_ = ResourceFilter(data, access=access)
    filter_.qs  # noqa: B018 - validates the form as the view does
    crispy = Template("{% load crispy_forms_tags %}{{ f.form|crispy }}").render(Context({"f": filter_}))
    by_hand = Template('{% include "resources/includes/filter_form.html" with form=f.form %}').render(
        Context({"f": filter_})
    )
    assert squeezed(by_hand) == squeezed(crispy)
    if data and "q" in data and len(data["q"]) > 200:
        assert 'aria-describedby="id_q_error"' in by_hand
        assert "at most 200 characters" in by_hand
    assert '<label for="id_kind" class="form-label">Kind</label>' in by_hand


def test_a_chosen_focus_area_stays_selected(community, member):
    area = FocusAreaFactory(community=community, name="Assessment")
    filter_ = ResourceFilter({"focus_area": str(area.pk)}, access=access_for(member, community))
    filter_.qs  # noqa: B018
    html = Template('{% include "resources/includes/filter_form.html" with form=f.form %}').render(
        Context({"f": filter_})
    )
    assert f'<option value="{area.pk}" selected>Assessment</option>' in html
