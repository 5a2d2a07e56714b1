"""Deleting an activity or removing a responsibility asks first, on a page that works without JavaScript."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calendar_app.models import Activity, Responsibility
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory, RSVPFactory
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(community):
    return MembershipFactory(community=community, is_district_leader=True).user


def _series(community, responsibilities=3, rsvps=2):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    activity = ActivityFactory(
        community=community, start=start, end=start + timedelta(hours=1), recurrence="FREQ=WEEKLY;COUNT=12"
    )
    for n in range(responsibilities):
        ResponsibilityFactory(activity=activity, task=f"task {n}")
    for _ in range(rsvps):
        RSVPFactory(activity=activity, occurrence_start=start)
    return activity


def _delete_url(activity):
    return reverse("calendar_app:delete", kwargs={"slug": activity.community.slug, "pk": activity.pk})


def test_the_confirm_page_says_what_goes_and_deletes_nothing(client, community, leader):
    activity = _series(community)
    client.force_login(leader)
    page = client.get(_delete_url(activity))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Remove every date of this series" in html
    assert "Delete its 3 responsibilities of districts." in html
    assert "Delete 2 RSVPs." in html
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert client.post(_delete_url(activity)).status_code == 302
    assert not Activity.objects.exists()


def test_the_confirm_page_costs_the_same_queries_with_many_responsibilities(client, community, leader):
    few = _series(community, responsibilities=1, rsvps=1)
    many = _series(community, responsibilities=40, rsvps=60)
    client.force_login(leader)
    client.get(_delete_url(few))  # warm up
    with CaptureQueriesContext(connection) as small:
        client.get(_delete_url(few))
    with CaptureQueriesContext(connection) as large:
        client.get(_delete_url(many))
    statements = "\n".join(q["sql"] for q in large.captured_queries)
    assert len(large.captured_queries) == len(small.captured_queries) == 9, statements  # with session and bell


def test_members_and_outsiders_get_no_confirm_page(client, community, member):
    activity = _series(community)
    client.force_login(member)
    assert client.get(_delete_url(activity)).status_code == 403
    other = _series(CommunityFactory())
    wrong = reverse("calendar_app:delete", kwargs={"slug": community.slug, "pk": other.pk})
    client.force_login(MembershipFactory(community=community, is_district_leader=True).user)
    assert client.get(wrong).status_code == 404


def test_removing_a_responsibility_asks_first(client, community, leader):
    activity = _series(community, responsibilities=1)
    responsibility = Responsibility.objects.get()
    url = reverse("calendar_app:delete_responsibility", kwargs={"slug": community.slug, "pk": responsibility.pk})
    client.force_login(leader)
    page = client.get(url)
    assert page.status_code == 200
    assert f"{responsibility.district.name}: task 0" in page.content.decode()
    assert Responsibility.objects.exists()
    response = client.post(url)
    assert response["Location"] == activity.get_absolute_url()
    assert not Responsibility.objects.exists()
