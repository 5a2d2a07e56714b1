"""Districts managed in the site: confirmed membership, who may mark a duty done, add, rename, merge (issue 18)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import District
from calendar_app.models import Responsibility, RotationTurn
from calendar_app.services import create_rotation
from communities import services
from communities.models import Membership
from communities.permissions import access_for
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.calendar_app.test_rotation import monthly
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(community):
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    community.districts.add(riverside, lakeview)
    return riverside, lakeview


@pytest.fixture
def manager_access(community):
    return access_for(MembershipFactory(community=community, is_moderator=True).user, community)


def _status_url(community, responsibility):
    return f"/c/{community.slug}/calendar/responsibilities/{responsibility.pk}/status/"


def _member(community, district=None, confirmed=False, **roles):
    return MembershipFactory(
        community=community, district=district, district_confirmed=confirmed, user__district=district, **roles
    )


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("confirmed member of the district", True),
        ("its district leader", True),
        ("manager", True),
        ("unconfirmed member of the district", False),
        ("confirmed member of another district", False),
        ("leader of another district", False),
        ("former member of the district", False),
    ],
)
def test_who_may_mark_a_duty_done(client, community, pair, who, allowed):
    riverside, lakeview = pair
    duty = ResponsibilityFactory(activity=ActivityFactory(community=community), district=lakeview)
    membership = {
        "confirmed member of the district": lambda: _member(community, lakeview, True),
        "its district leader": lambda: _member(community, lakeview, True, is_district_leader=True),
        "manager": lambda: _member(community, is_moderator=True),
        "unconfirmed member of the district": lambda: _member(community, lakeview, False),
        "confirmed member of another district": lambda: _member(community, riverside, True),
        "leader of another district": lambda: _member(community, riverside, True, is_district_leader=True),
        "former member of the district": lambda: _member(community, lakeview, True),
    }[who]()
    user = membership.user
    if who.startswith("former"):
        membership.delete()
    client.force_login(user)
    response = client.post(_status_url(community, duty), {"status": "done"})
    duty.refresh_from_db()
    assert duty.is_done is allowed
    assert response.status_code == (302 if allowed else 403)


def test_switching_district_makes_the_member_pending_again(client, community, pair):
    riverside, lakeview = pair
    membership = _member(community, riverside, True)
    duty = ResponsibilityFactory(activity=ActivityFactory(community=community), district=lakeview)
    services.choose_district(access=access_for(membership.user, community), district=lakeview)
    membership.refresh_from_db()
    assert (membership.district, membership.district_confirmed) == (lakeview, False)
    client.force_login(membership.user)
    assert client.post(_status_url(community, duty), {"status": "done"}).status_code == 403


def test_district_leader_confirms_their_district_only(community, pair):
    riverside, lakeview = pair
    leader = _member(community, lakeview, True, is_district_leader=True)
    pending_here = _member(community, lakeview)
    pending_there = _member(community, riverside)
    services.confirm_district(access=access_for(leader.user, community), membership=pending_here)
    pending_here.refresh_from_db()
    assert pending_here.district_confirmed
    with pytest.raises(PermissionDenied):
        services.confirm_district(access=access_for(leader.user, community), membership=pending_there)


def test_choosing_another_communitys_district_is_refused(community, pair):
    membership = _member(community)
    with pytest.raises(ValidationError):
        services.choose_district(access=access_for(membership.user, community), district=DistrictFactory(name="Far"))


def test_manager_adds_and_renames_a_district(manager_access, community):
    district = services.add_district(access=manager_access, name="  Hillcrest   ISD ")
    assert district.name == "Hillcrest ISD"
    assert community.districts.filter(pk=district.pk).exists()
    with pytest.raises(ValidationError):
        services.add_district(access=manager_access, name="hillcrest isd")
    services.rename_district(access=manager_access, district=district, name="Hillcrest Unified")
    district.refresh_from_db()
    assert district.name == "Hillcrest Unified"


def test_a_shared_district_is_renamed_only_by_staff(manager_access, community, pair):
    riverside, _lakeview = pair
    CommunityFactory().districts.add(riverside)
    with pytest.raises(PermissionDenied):
        services.rename_district(access=manager_access, district=riverside, name="Riverside Unified")
    staff = UserFactory(is_staff=True)
    services.rename_district(access=access_for(staff, community), district=riverside, name="Riverside Unified")
    riverside.refresh_from_db()
    assert riverside.name == "Riverside Unified"


def test_member_may_not_manage_districts(community, pair):
    access = access_for(_member(community).user, community)
    with pytest.raises(PermissionDenied):
        services.add_district(access=access, name="Mine")
    with pytest.raises(PermissionDenied):
        services.merge_district(access=access, source=pair[0], target=pair[1])


def test_merge_keeps_every_duty_turn_membership_and_person(manager_access, community, pair):
    riverside, lakeview = pair
    leader_access = access_for(_member(community, lakeview, True, is_district_leader=True).user, community)
    activity = monthly(community, count=4)
    create_rotation(access=leader_access, activity=activity, task="hosts", districts=[riverside, lakeview])
    one_off = ResponsibilityFactory(activity=ActivityFactory(community=community), district=riverside)
    members = [_member(community, riverside, True) for _ in range(3)]
    other = CommunityFactory()
    other.districts.add(riverside)
    total = Responsibility.objects.count()
    services.merge_district(access=access_for(UserFactory(is_staff=True), community), source=riverside, target=lakeview)
    assert not District.objects.filter(pk=riverside.pk).exists()
    assert Responsibility.objects.count() == total
    assert set(Responsibility.objects.values_list("district", flat=True)) == {lakeview.pk}
    one_off.refresh_from_db()
    assert one_off.district == lakeview
    assert set(RotationTurn.objects.values_list("district", flat=True)) == {lakeview.pk}
    for membership in members:
        membership.refresh_from_db()
        assert (membership.district, membership.district_confirmed) == (lakeview, True)
        assert membership.user.district == lakeview
    assert Membership.objects.filter(community=community).count() == 5
    assert list(community.districts.all()) == [lakeview]
    assert list(other.districts.all()) == [lakeview]


def test_merge_of_a_district_with_itself_or_elsewhere_is_refused(manager_access, community, pair):
    with pytest.raises(ValidationError):
        services.merge_district(access=manager_access, source=pair[0], target=pair[0])
    with pytest.raises(ValidationError):
        services.merge_district(access=manager_access, source=pair[0], target=DistrictFactory(name="Far"))


def test_manager_adds_renames_and_merges_from_the_manage_area(client, community, pair, manager_access):
    _riverside, lakeview = pair
    client.force_login(manager_access.user)
    url = f"/c/{community.slug}/manage/districts/"
    assert client.post(url, {"name": "Hillcrest ISD"}).status_code == 302
    response = client.post(url, {"name": ""})
    assert response.status_code == 400
    response = client.post(url, {"name": "riverside usd"})
    assert response.status_code == 400
    assert "already one of this community" in response.content.decode()
    hill = District.objects.get(name="Hillcrest ISD")
    assert client.post(f"{url}{hill.pk}/rename/", {"name": "Hillcrest Unified"}).status_code == 302
    assert client.post(f"{url}{hill.pk}/rename/", {"name": "x" * 121}).status_code == 400
    assert client.post(f"{url}{hill.pk}/merge/", {"target": hill.pk}).status_code == 400
    far = DistrictFactory(name="Far away")
    assert client.post(f"{url}{far.pk}/merge/", {"target": lakeview.pk}).status_code == 404
    assert client.post(f"{url}{hill.pk}/merge/", {"target": lakeview.pk}).status_code == 302
    assert not District.objects.filter(pk=hill.pk).exists()
    page = client.get(url).content.decode()
    assert "Riverside USD" in page
    assert "Lakeview SD" in page


def test_member_chooses_a_district_and_its_leader_confirms_it(client, community, pair):
    riverside, _lakeview = pair
    leader = _member(community, riverside, True, is_district_leader=True)
    member = _member(community)
    client.force_login(member.user)
    assert client.post(f"/c/{community.slug}/districts/mine/", {"district": riverside.pk}).status_code == 302
    assert "Pending" in client.get(f"/c/{community.slug}/districts/").content.decode()
    assert client.post(f"/c/{community.slug}/districts/mine/", {"district": "nope"}).status_code == 400
    client.force_login(leader.user)
    page = client.get(f"/c/{community.slug}/districts/").content.decode()
    assert "Confirm" in page
    response = client.post(f"/c/{community.slug}/districts/confirm/{member.pk}/", {"decision": "confirm"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.district_confirmed


def test_districts_pages_queries_do_not_grow(client, community, manager_access, django_assert_max_num_queries):
    client.force_login(manager_access.user)
    for i in range(3):
        district = DistrictFactory(name=f"D{i}")
        community.districts.add(district)
        _member(community, district, True)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/c/{community.slug}/manage/districts/")
        client.get(f"/c/{community.slug}/districts/")
    for i in range(30):
        district = DistrictFactory(name=f"E{i}")
        community.districts.add(district)
        _member(community, district, True, is_district_leader=True)
        _member(community, district, False)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/c/{community.slug}/manage/districts/")
        client.get(f"/c/{community.slug}/districts/")
