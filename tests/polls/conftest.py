import pytest

from communities.permissions import access_for
from tests.factories import MembershipFactory
from tests.polls.factories import PollFactory


@pytest.fixture
def poll(community, moderator):
    return PollFactory(community=community, created_by=moderator)


@pytest.fixture
def leader(community):
    return MembershipFactory(community=community, is_district_leader=True).user


@pytest.fixture
def access_of():
    return lambda user, community: access_for(user, community)
