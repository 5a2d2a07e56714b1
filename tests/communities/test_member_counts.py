"""The member counts the site home and the directory show, counted per community (issue 19: a correlated count
on the memberships' community index replaced a join counted distinct)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Membership
from communities.selectors import member_counts
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd():
    """A member of two communities of 3 and 1 members; a third, empty community; a crowd elsewhere."""
    person = UserFactory()
    busy, quiet = CommunityFactory(name="Busy"), CommunityFactory(name="Quiet")
    empty = CommunityFactory(name="Empty")
    MembershipFactory(user=person, community=busy)
    MembershipFactory(user=person, community=quiet)
    for _ in range(2):
        MembershipFactory(community=busy)
    elsewhere = CommunityFactory(name="Elsewhere")
    for _ in range(4):
        MembershipFactory(community=elsewhere)
    return person, busy, quiet, empty


def _count_after(html, name):
    return html.split(f">{name}</a>", 1)[1].split("member", 1)[0].rsplit("·", 1)[1].strip()


def test_the_site_home_counts_each_of_my_communities_members(client, crowd):
    person, *_ = crowd
    client.force_login(person)
    html = client.get("/").content.decode()
    assert (_count_after(html, "Busy"), _count_after(html, "Quiet")) == ("3", "1")


def test_the_directory_counts_every_communitys_members_and_none_for_an_empty_one(client, crowd):
    html = client.get(reverse("communities:directory")).content.decode()
    shown = {n: html.count(f"· {n} member") for n in (0, 1, 3, 4)}
    assert shown == {0: 1, 1: 1, 3: 1, 4: 1}  # Empty, Quiet, Busy, Elsewhere


def test_the_site_homes_counts_are_kept_and_change_as_soon_as_someone_joins_or_leaves(client, crowd):
    """The site home keeps each community's count in the cache (issue 19): a later join, a removal and a deleted
    account show at once, and the kept count costs no query."""
    person, busy, quiet, _empty = crowd
    client.force_login(person)
    html = client.get("/").content.decode()
    assert (_count_after(html, "Busy"), _count_after(html, "Quiet")) == ("3", "1")
    assert member_counts([busy.pk, quiet.pk]) == {busy.pk: 3, quiet.pk: 1}
    with CaptureQueriesContext(connection) as counted:
        assert member_counts([busy.pk]) == {busy.pk: 3}  # kept
    assert len(counted) == 0
    newcomer = MembershipFactory(community=quiet).user
    assert _count_after(client.get("/").content.decode(), "Quiet") == "2"
    Membership.objects.get(community=busy, user=person).delete()
    MembershipFactory(user=person, community=busy)
    Membership.objects.filter(community=busy).exclude(user=person).first().delete()
    assert _count_after(client.get("/").content.decode(), "Busy") == "2"
    newcomer.delete()  # the account's memberships go with it
    assert _count_after(client.get("/").content.decode(), "Quiet") == "1"


def test_the_counts_are_counted_without_the_cache(crowd, monkeypatch):
    _person, busy, quiet, empty = crowd
    monkeypatch.setattr("communities.selectors.cache_is_degraded", lambda _cache: True)
    assert member_counts([busy.pk, quiet.pk, empty.pk]) == {busy.pk: 3, quiet.pk: 1, empty.pk: 0}
