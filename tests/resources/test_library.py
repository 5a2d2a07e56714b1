from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resources.models import Resource
from resources.selectors import featured_and_approved
from tests.factories import CommunityFactory, FocusAreaFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db


def library(client, community, **params):
    return client.get(reverse("resources:library", kwargs={"slug": community.slug}), params)


def titles(response):
    return [r.title for r in response.context["page"].object_list]


def test_library_lists_approved_and_featured_but_not_pending_or_rejected(client, community):
    ResourceFactory(community=community, title="Approved one")
    ResourceFactory(community=community, title="Featured one", featured=True)
    ResourceFactory(community=community, title="Pending one", submitted=True)
    ResourceFactory(community=community, title="Rejected one", status="rejected")
    ResourceFactory(title="Another community's")
    assert sorted(titles(library(client, community))) == ["Approved one", "Featured one"]


def test_full_text_search_finds_words_in_title_tags_and_description(client, community):
    ResourceFactory(community=community, title="Fraction strips", tags="manipulatives")
    ResourceFactory(community=community, title="Other", description="Using fractions with cooking")
    ResourceFactory(community=community, title="Unrelated")
    assert sorted(titles(library(client, community, q="fraction"))) == ["Fraction strips", "Other"]
    assert titles(library(client, community, q="manipulative")) == ["Fraction strips"]


def test_filters_by_kind_focus_area_grade_band_and_subject(client, community):
    area = FocusAreaFactory(community=community)
    match = ResourceFactory(community=community, kind="video", grade_bands=",k2,", subjects=",math,", title="Match")
    match.focus_areas.add(area)
    ResourceFactory(community=community, kind="video", grade_bands=",6-8,", subjects=",math,")
    ResourceFactory(community=community, kind="article", grade_bands=",k2,", subjects=",math,")
    params = {"kind": "video", "focus_area": area.pk, "grade_band": "k2", "subject": "math"}
    assert titles(library(client, community, **params)) == ["Match"]


def test_status_filter_is_for_moderators_only(client, community, member, moderator):
    ResourceFactory(community=community, submitted=True, title="Pending")
    client.force_login(member)
    assert "status" not in library(client, community).context["filter"].form.fields
    client.force_login(moderator)
    assert titles(library(client, community, status="submitted")) == ["Pending"]


def test_sort_by_most_useful_and_featured(client, community):
    ResourceFactory(community=community, title="Popular", useful_count=9)
    ResourceFactory(community=community, title="Starred", featured=True, useful_count=1)
    ResourceFactory(community=community, title="Newest", useful_count=0)
    assert titles(library(client, community, sort="useful"))[0] == "Popular"
    assert titles(library(client, community, sort="featured"))[0] == "Starred"


def test_a_filter_value_from_another_community_is_a_bad_request(client, community):
    foreign_area = FocusAreaFactory(community=CommunityFactory())
    response = library(client, community, focus_area=foreign_area.pk)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_library_pages_hold_twenty(client, community):
    ResourceFactory.create_batch(45, community=community)
    response = library(client, community, page=3)
    assert len(response.context["page"].object_list) == 5
    assert "Page 3 of 3" in response.content.decode()


def test_library_with_a_thousand_resources_runs_a_fixed_number_of_queries(
    client, community, member, assert_num_queries_exact
):
    area = FocusAreaFactory(community=community)
    owner = member
    rows = [
        Resource(
            community=community, title=f"R{i}", url=f"https://example.org/{i}", status="approved", submitted_by=owner
        )
        for i in range(1000)
    ]
    Resource.objects.bulk_create(rows)
    for resource in Resource.objects.all()[:50]:
        resource.focus_areas.add(area)
    client.force_login(member)
    with assert_num_queries_exact(6):
        response = library(client, community, sort="useful", q="R1")
    assert response.status_code == 200
    with assert_num_queries_exact(6):
        response = library(client, community)
    assert response.context["page"].paginator.count == 1000


def test_detail_page_query_count_is_fixed(client, community, member, assert_num_queries_exact):
    resource = ResourceFactory(community=community)
    for _ in range(20):
        resource.focus_areas.add(FocusAreaFactory(community=community))
    client.force_login(member)
    with assert_num_queries_exact(8):
        response = client.get(resource.get_absolute_url())
    assert response.status_code == 200


def test_featured_and_approved_lists_the_window_for_the_digest(community):
    now = timezone.now()
    featured = ResourceFactory(community=community, featured=True, title="Featured")
    approved = ResourceFactory(community=community, title="Approved")
    ResourceFactory(community=community, title="Old", approved_at=now - timedelta(days=60))
    ResourceFactory(community=community, title="Archived", status="archived")
    ResourceFactory(title="Elsewhere")
    found = list(
        featured_and_approved(communities=[community], since=now - timedelta(days=1), until=now + timedelta(1))
    )
    assert found == [featured, approved]
    assert found[0].community == community
