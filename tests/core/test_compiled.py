"""core.compiled.Compiled: a fixed-shape queryset compiled once gives what the ORM gives, for any values,
and anything it cannot compile safely runs through the ORM instead (issue 19)."""

from datetime import datetime, timedelta

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from communities.models import Community, Membership
from core.compiled import Compiled, Derived
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _memberships(member, since):
    return (
        Membership.objects.filter(user_id=member, joined_at__gte=since)
        .select_related("community", "user")
        .annotate(others=Count("community__memberships"))
        .order_by("community__name")
    )


@pytest.fixture
def people():
    a, b = CommunityFactory(name="A"), CommunityFactory(name="B")
    first = MembershipFactory(community=a).user
    MembershipFactory(community=b, user=first)
    second = MembershipFactory(community=b).user
    MembershipFactory(community=b)
    return first, second


def test_rows_are_the_orms_for_every_value(people, django_assert_num_queries):
    statement = Compiled(_memberships, member=int, since=datetime)
    assert statement.frozen is not None, statement.error
    long_ago = timezone.now() - timedelta(days=1)
    for person in people:
        expected = list(_memberships(person.pk, long_ago))
        with django_assert_num_queries(1):
            found = statement(member=person.pk, since=long_ago)
        assert [(m.pk, m.community.name, m.user.username, m.others) for m in found] == [
            (m.pk, m.community.name, m.user.username, m.others) for m in expected
        ]
        assert found
        assert all(m.joined_at == e.joined_at for m, e in zip(found, expected, strict=True))
    assert statement(member=people[0].pk, since=timezone.now() + timedelta(days=1)) == []


def test_values_lists_and_derived_slots(people):
    def names(member, since):
        until = since + timedelta(days=2)  # the builder works it out itself; the slot says how
        return Community.objects.filter(
            memberships__user_id=member, created_at__gte=since, created_at__lt=until
        ).values_list("name", "pk")

    statement = Compiled(names, member=int, since=datetime, until=Derived(lambda v: v["since"] + timedelta(days=2)))
    assert statement.frozen is not None, statement.error
    now = timezone.now()
    earlier = now - timedelta(days=1)
    assert sorted(statement(member=people[0].pk, since=earlier)) == sorted(names(people[0].pk, earlier))
    assert len(statement(member=people[0].pk, since=earlier)) == 2
    assert statement(member=people[0].pk, since=now - timedelta(days=30)) == []

    flat = Compiled(
        lambda member: Community.objects.filter(memberships__user_id=member).values_list("name", flat=True), member=int
    )
    assert sorted(flat(member=people[0].pk)) == ["A", "B"]


def test_a_builder_that_reads_the_clock_is_not_compiled(people):
    def recent(member):
        return Membership.objects.filter(user_id=member, joined_at__lte=timezone.now())

    statement = Compiled(recent, member=int)
    assert statement.frozen is None
    assert "depends on something other than the slots" in statement.error
    assert len(statement(member=people[0].pk)) == 2  # the ORM's answer, every time


def test_sql_that_changes_from_one_build_to_the_next_is_not_compiled(people):
    builds = []

    def shaped(member):
        builds.append(member)
        rows = Membership.objects.filter(user_id=member)
        return rows.filter(Q(is_moderator=True)) if len(builds) % 2 else rows

    statement = Compiled(shaped, member=int)
    assert statement.frozen is None
    assert statement.error == "the SQL depends on the values"


def test_a_slot_the_sql_never_uses_is_refused():
    statement = Compiled(lambda member, since: Membership.objects.filter(user_id=member), member=int, since=datetime)
    assert statement.frozen is None
    assert "since" in statement.error
