"""The community and the membership every community page reads (community_view) come from SQL compiled
once (communities/permissions.py, core/compiled.py, issue 19): the same rows as the ORM's queries."""

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from communities.models import Community, Membership
from communities.permissions import community_or_404, membership_of
from core.compiled import GHOST_ID, rows_statement
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def fields_of(instance):
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_the_community_is_the_row_the_orm_reads(django_assert_num_queries):
    community = CommunityFactory(name="Maths <K-5>", tagline="Ten frames & more")
    CommunityFactory()  # another one
    with django_assert_num_queries(1):
        found = community_or_404(community.slug)
    assert fields_of(found) == fields_of(Community.objects.get(slug=community.slug))
    assert found._state.adding is False


def test_an_unknown_community_and_a_hidden_one_answer_alike(client):
    hidden = CommunityFactory(visibility=Community.Visibility.HIDDEN)
    with pytest.raises(Http404, match="No community found"):
        community_or_404("no-such-community")
    for slug in ("no-such-community", hidden.slug):
        answer = Client().get(reverse("communities:home", kwargs={"slug": slug}))
        assert answer.status_code == 404


def test_the_membership_is_the_persons_in_that_community(django_assert_num_queries):
    community, elsewhere = CommunityFactory(), CommunityFactory()
    person = UserFactory()
    mine = MembershipFactory(community=community, user=person, is_moderator=True)
    MembershipFactory(community=elsewhere, user=UserFactory())
    with django_assert_num_queries(1):
        found = membership_of(person, community)
    assert fields_of(found) == fields_of(Membership.objects.get(pk=mine.pk))
    assert membership_of(person, elsewhere) is None  # the right community, not any of the person's
    assert membership_of(UserFactory(), community) is None  # the right person


def test_a_query_with_its_stand_in_written_into_the_sql_is_refused():
    written = Community.objects.filter(pk=GHOST_ID).extra(where=[f"id <> {GHOST_ID}"])  # noqa: S610
    with pytest.raises(ValueError, match="stand-in"):
        rows_statement(written)
    with pytest.raises(ValueError, match="stand-in"):
        rows_statement(Community.objects.all())
