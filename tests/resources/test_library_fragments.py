"""The library's filter form and rows come from the fragment cache (resources/fragments.py): what a viewer
sees is exactly what drawing them now would show, and any change shows at once."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.template import Context, Template
from django.template.loader import get_template
from django.urls import reverse

from communities.models import FocusArea
from communities.permissions import access_for
from resources import fragments
from resources.filters import ResourceFilter
from tests.factories import FocusAreaFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def library(client, community, **params):
    response = client.get(reverse("resources:library", kwargs={"slug": community.slug}), params)
    html = response.content.decode()
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "T", html)


def form_part(html):
    start = html.index('aria-label="Search and filter resources"')
    return html[start : html.index("</form>", start)]


def rows_part(html):
    start = html.index('<ul class="list-group mb-3">')
    return html[start : html.index("</ul>", start)]


def test_a_renamed_or_new_focus_area_shows_in_the_filter_at_once(client, community, member):
    area = FocusAreaFactory(community=community, name="Assessment")
    client.force_login(member)
    assert ">Assessment</option>" in form_part(library(client, community))  # now in the cache
    area.name = "Formative assessment"
    area.save()
    FocusAreaFactory(community=community, name="Coding")
    after = form_part(library(client, community))
    assert ">Formative assessment</option>" in after
    assert ">Coding</option>" in after


def test_the_filter_shows_what_was_sent_and_only_moderators_get_the_status_field(client, community, member, moderator):
    client.force_login(member)
    assert 'value="video" selected' in form_part(library(client, community, kind="video"))
    assert 'value="article" selected' in form_part(library(client, community, kind="article"))
    assert "id_status" not in form_part(library(client, community))
    client.force_login(moderator)
    assert "id_status" in form_part(library(client, community))
    bad = form_part(library(client, community, q="x" * 300))
    assert "at most 200 characters" in bad


@pytest.mark.parametrize(
    "data",
    [None, {"kind": "article", "sort": "useful"}, {"focus_area": "AREA"}, {"q": "x" * 300, "focus_area": "999"}],
)
@pytest.mark.parametrize("who", ["member", "moderator"])
def test_the_offered_focus_areas_draw_the_select_the_queryset_would(community, member, moderator, data, who):
    area = FocusAreaFactory(community=community, name="Coding & <robots>")
    FocusAreaFactory(community=community, name="Assessment")
    if data and data.get("focus_area") == "AREA":
        data = {"focus_area": str(area.pk)}
    access = access_for(member if who == "member" else moderator, community)
    draw = Template('{% include "resources/includes/filter_form.html" with form=f.form %}')
    from_queryset = ResourceFilter(data, access=access)
    from_queryset.qs  # noqa: B018 - validates the form as the view does
    offered = ResourceFilter(data, access=access)
    offered.qs  # noqa: B018
    assert sorted(name for _pk, name in offered.offered_focus_areas()) == ["Assessment", "Coding & <robots>"]
    assert draw.render(Context({"f": offered})) == draw.render(Context({"f": from_queryset}))


def test_an_edited_resource_row_shows_at_once(client, community, member):
    resource = ResourceFactory(community=community, title="Fraction strips", useful_count=2)
    client.force_login(member)
    assert "Fraction strips" in rows_part(library(client, community))
    resource.title = "Fraction bars"
    resource.save()
    renamed = rows_part(library(client, community))
    assert "Fraction bars" in renamed
    assert "Fraction strips" not in renamed
    resource.useful_count = 7
    resource.save()
    assert "7 found it useful" in rows_part(library(client, community))
    resource.focus_areas.add(FocusAreaFactory(community=community, name="Number sense"))
    assert "Number sense" in rows_part(library(client, community))
    resource.submitted_by.display_name = "Ana Rivera"
    resource.submitted_by.save()
    assert "Shared by Ana Rivera" in rows_part(library(client, community))


def test_only_moderators_see_the_broken_link_badge(client, community, member, moderator):
    ResourceFactory(community=community, title="Dead link", link_status="broken")
    client.force_login(moderator)
    assert "Broken link" in rows_part(library(client, community))
    client.force_login(member)
    assert "Broken link" not in rows_part(library(client, community))


def test_form_and_rows_are_drawn_once_then_read_from_the_cache(client, community, member):
    ResourceFactory.create_batch(3, community=community)
    FocusAreaFactory(community=community)
    client.force_login(member)
    with (
        mock.patch.object(fragments, "get_template", wraps=get_template) as form_drawn,
        mock.patch("core.fragments.get_template", wraps=get_template) as rows_drawn,
    ):
        first = library(client, community, kind="link")
        second = library(client, community, kind="link")
    assert form_drawn.call_count == 1
    assert rows_drawn.call_count == 1
    assert first == second


def test_what_the_cache_gives_is_what_drawing_it_now_gives(client, community, moderator):
    area = FocusAreaFactory(community=community, name="Assessment")
    ResourceFactory(community=community, title="Rubric bank", featured=True).focus_areas.add(area)
    ResourceFactory(community=community, title="Quiz tool", kind="tool", grade_bands=",3-5,6-8,")
    ResourceFactory(community=community, title="Waiting", submitted=True)
    client.force_login(moderator)
    params = {"sort": "useful", "focus_area": area.pk}
    cached = library(client, community, **params), library(client, community)
    again = library(client, community, **params), library(client, community)
    cache.clear()
    with (
        mock.patch.object(fragments, "cache_is_degraded", return_value=True),
        mock.patch("core.fragments.cache_is_degraded", return_value=True),
    ):
        drawn = library(client, community, **params), library(client, community)
    assert cached == again == drawn


def test_a_second_request_builds_no_filter_and_shows_the_same_page(client, community, member):
    area = FocusAreaFactory(community=community, name="Assessment")
    ResourceFactory(community=community, kind="video", grade_bands=",3-5,").focus_areas.add(area)
    ResourceFactory(community=community, kind="article")
    client.force_login(member)
    params = {"kind": "video", "grade_band": "3-5", "focus_area": area.pk}
    first = library(client, community, **params)
    with mock.patch.object(fragments, "ResourceFilter", wraps=fragments.ResourceFilter) as built:
        second = library(client, community, **params)
    assert built.call_count == 0
    assert first == second
    assert "1 resource<" in second


def test_a_focus_area_that_moves_away_or_comes_in_changes_the_page_at_once(client, community, member):
    """What a set of filters was last validated to is only a first guess: the form's outcome for the
    community's focus areas now decides, and the page is listed again when they differ."""
    area = FocusAreaFactory(community=community, name="Assessment")
    ResourceFactory(community=community, title="Tagged one").focus_areas.add(area)
    ResourceFactory(community=community, title="Untagged one")
    client.force_login(member)
    url = reverse("resources:library", kwargs={"slug": community.slug})
    response = client.get(url, {"focus_area": area.pk})
    assert response.status_code == 200
    assert titles_of(response) == ["Tagged one"]
    elsewhere = FocusAreaFactory(name="Elsewhere")
    FocusArea.objects.filter(pk=area.pk).update(community=elsewhere.community)
    response = client.get(url, {"focus_area": area.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert titles_of(response) == []
    FocusArea.objects.filter(pk=area.pk).update(community=community)
    response = client.get(url, {"focus_area": area.pk})
    assert response.status_code == 200
    assert titles_of(response) == ["Tagged one"]
    assert response.context["page"].paginator.count == 1


def titles_of(response):
    return [resource.title for resource in response.context["page"].object_list]
