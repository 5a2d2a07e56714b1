"""The member counts the site home and the directory show, counted per community (issue 19: a correlated count
on the memberships' community index replaced a join counted distinct)."""

import pytest
from django.urls import reverse

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
