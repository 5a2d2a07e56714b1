"""The bell's count runs SQL compiled once per process (core.compiled, issue 19): for every kind of
person it must count exactly what the ORM query counts, privacy rules included."""

import pytest
from django.utils import timezone

from communities.models import Community
from notifications import kinds, selectors
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.notifications.test_pages import make

pytestmark = pytest.mark.django_db


def orm_count(user):
    return selectors.visible_notifications(user).filter(read_at=None)[: selectors.UNREAD_CAP + 1].count()


@pytest.fixture
def people():
    public = CommunityFactory()
    members_only = CommunityFactory(visibility=Community.Visibility.MEMBERS)
    hidden = CommunityFactory(visibility=Community.Visibility.HIDDEN)
    member, moderator, left, outsider = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    staff = UserFactory(is_staff=True)
    for community in (public, members_only, hidden):
        MembershipFactory(community=community, user=member)
        MembershipFactory(community=community, user=moderator, is_moderator=True)
    MembershipFactory(community=public, user=left)
    everyone = [member, moderator, left, outsider, staff]
    for person in everyone:
        for community in (None, public, members_only, hidden):
            make(person, community, n=2, subject=f"mention {person.pk}")
            make(person, community, n=1, kind=kinds.MOD_FLAG, subject=f"flag {person.pk}")
        read = make(person, public, n=3, subject=f"read {person.pk}")
        for row in read:
            row.read_at = timezone.now()
            row.save()
    make(member, members_only, n=150, subject="many")  # past the cap
    return everyone


def test_the_compiled_count_is_the_orm_count_for_everyone(people, django_assert_num_queries):
    counts = []
    for person in people:
        with django_assert_num_queries(1):
            count = selectors.unread_count(person)
        assert count == orm_count(person)
        counts.append(count)
    member, moderator, left, outsider, staff = counts
    assert member == selectors.UNREAD_CAP + 1
    assert moderator == 4 * 2 + 3  # every mention, and flags only where they moderate (not site-wide)
    assert left == outsider == 2 + 2  # site-wide and public mentions, no moderators' flags
    assert staff == 4 * 3  # staff see everything


def test_the_count_follows_a_change_of_membership_at_once(people):
    member = people[0]
    outsider = people[3]
    before = selectors.unread_count(outsider)
    members_only = Community.objects.get(visibility=Community.Visibility.MEMBERS)
    MembershipFactory(community=members_only, user=outsider)
    assert selectors.unread_count(outsider) == before + 2 == orm_count(outsider)
    assert selectors.unread_count(member) == orm_count(member)
