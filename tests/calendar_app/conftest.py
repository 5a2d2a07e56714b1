from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from communities.permissions import access_for
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

CHICAGO = ZoneInfo("America/Chicago")


@pytest.fixture
def districts(community):
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    community.districts.add(riverside, lakeview)
    return riverside, lakeview


@pytest.fixture
def leader(community, districts):
    user = UserFactory(district=districts[0], time_zone="America/Chicago")
    MembershipFactory(
        user=user, community=community, is_district_leader=True, district=districts[0], district_confirmed=True
    )
    return user


@pytest.fixture
def leader_access(community, leader):
    return access_for(leader, community)


@pytest.fixture
def other_community(db):
    return CommunityFactory(name="Other place")


def chicago(*args):
    return datetime(*args, tzinfo=CHICAGO)
