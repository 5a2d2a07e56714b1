"""The library's page in one statement (resources.selectors.library_page, issue 19): for every viewer,
filter, sort and page it shows exactly what the querysets it replaced show (library_rows filtered by
ResourceFilter, Paginator.get_page, the rows' focus areas and the form's)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import QueryDict
from django.utils import timezone

from communities.permissions import access_for
from resources.fragments import library_listing
from resources.models import Resource
from resources.views import PAGE_SIZE
from tests.factories import FocusAreaFactory, UserFactory
from tests.resources.factories import ResourceFactory

pytestmark = pytest.mark.django_db

WORDS = ["rubric feedback", "fractions", "rubric", "group work", "cooking fractions"]


@pytest.fixture
def shelf(community):
    """47 resources (three pages) in every state a row shows and every filter picks out."""
    coding = FocusAreaFactory(community=community, name="Coding & <robots>", position=2)
    assessment = FocusAreaFactory(community=community, name="Assessment", position=1)
    FocusAreaFactory(community=community, name="Algebra", position=2)
    FocusAreaFactory(name="Another community's area")
    people = [UserFactory(display_name=f"Person {n}" if n % 2 else "") for n in range(4)]
    kinds, statuses = Resource.Kind.values, Resource.Status.values
    start = timezone.now() - timedelta(days=90)
    for n in range(47):
        status = statuses[n % len(statuses)] if n % 3 == 0 else Resource.Status.APPROVED
        resource = ResourceFactory(
            community=community,
            title=f"Resource {n} <b>",
            description=WORDS[n % len(WORDS)] if n % 2 else "nothing to find",
            kind=kinds[n % len(kinds)],
            grade_bands=[",3-5,", ",k2,3-5,", ",6-8,adult,", ""][n % 4],
            subjects=[",math,", ",science,cs,", ""][n % 3],
            submitted_by=None if n == 5 else people[n % 4],
            status=status,
            featured_at=start + timedelta(days=n % 7) if status == Resource.Status.FEATURED or n % 5 == 0 else None,
            useful_count=n % 4,
            link_status="broken" if n % 6 == 0 else "ok",
        )
        Resource.objects.filter(pk=resource.pk).update(created_at=start + timedelta(hours=n * 7 % 23))
        if n % 2:
            resource.focus_areas.add(coding)
        if n % 3:
            resource.focus_areas.add(assessment)
    ResourceFactory(title="Elsewhere")
    return coding


def listed(access, data, page_number, *, statement):
    _form, listing = library_listing(
        data, access=access, page_number=page_number, per_page=PAGE_SIZE, statement=statement
    )
    return listing.page, list(listing.page.object_list), listing.focus_areas


def shown(page, rows):
    return (
        [
            (
                r.pk, r.community_id, r.title, r.kind, r.grade_bands, r.status, r.useful_count, r.link_status,
                r.created_at, r.submitted_by_id, r.submitted_by.name if r.submitted_by else None, r.area_names,
                r.grade_band_summary, r.get_kind_display(),
            )
            for r in rows
        ],
        page.number,
        page.paginator.count,
        page.paginator.num_pages,
        page.has_next(),
    )  # fmt: skip


CASES = [
    "",
    "sort=useful",
    "sort=featured",
    "sort=newest",
    "kind=article&grade_band=3-5&sort=useful",
    "q=rubric",
    "q=rubric+feedback&sort=useful",
    "q=fractions&sort=newest",
    "q=%22group+work%22",
    "q=++&kind=video",
    "focus_area=AREA",
    "focus_area=AREA&subject=cs&sort=featured",
    "grade_band=adult&subject=math",
    "status=featured",
    "status=submitted&sort=useful",
    "kind=nonsense",
    "focus_area=999999",
    "q=" + "x" * 300,
    "grade_band=%25",
]


@pytest.mark.parametrize("who", ["anonymous", "member", "moderator", "outsider"])
@pytest.mark.parametrize("query", CASES)
def test_the_statement_shows_what_the_querysets_show(community, member, moderator, shelf, who, query):
    viewer = {"anonymous": AnonymousUser(), "member": member, "moderator": moderator, "outsider": UserFactory()}[who]
    access = access_for(viewer, community)
    data = QueryDict(query.replace("AREA", str(shelf.pk))) if query else None
    for page_number in (None, "1", "2", "3", "0", "-1", "abc", "2.0", "99999999999999999999"):
        one = listed(access, data, page_number, statement=True)
        many = listed(access, data, page_number, statement=False)
        assert shown(*one[:2]) == shown(*many[:2]), page_number
        assert one[2] == many[2]


def test_filters_pick_out_rows_and_moderators_see_all_statuses(community, member, moderator, shelf):
    member_page = listed(access_for(member, community), None, None, statement=True)[0]
    moderator_page = listed(access_for(moderator, community), None, None, statement=True)[0]
    assert moderator_page.paginator.count == 47
    visible = Resource.objects.filter(community=community, status__in=Resource.VISIBLE_STATUSES)
    assert member_page.paginator.count == visible.count()
    assert member_page.paginator.count < 47
    data = QueryDict(f"q=rubric&focus_area={shelf.pk}")
    found = listed(access_for(member, community), data, None, statement=True)[1]
    assert found
    assert all("Coding & <robots>" in r.area_names for r in found)
