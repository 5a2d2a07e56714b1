import pytest
from django.urls import reverse

from communities.models import Community, Membership
from tests.factories import CommunityFactory, DistrictFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = reverse("communities:create")


def valid_data(**overrides):
    data = {
        "name": "Math Coaches Network",
        "slug": "math-coaches",
        "tagline": "Coaches helping coaches",
        "domain": "Coaching teachers in elementary mathematics.",
        "purpose": "Share coaching cycles.",
        "audience": "coaches",
        "audience_detail": "",
        "cadence": "Monthly chat",
        "visibility": "members",
        "join_policy": "request",
    }
    data.update(overrides)
    return data


@pytest.fixture
def leader(db):
    return UserFactory(can_create_communities=True, district=DistrictFactory(name="Riverside USD"))


def test_district_leader_creates_a_community_and_becomes_its_moderator(client, leader):
    other = DistrictFactory(name="Lakeview SD")
    client.force_login(leader)
    response = client.post(URL, valid_data(districts=[leader.district_id, other.pk]))
    community = Community.objects.get(slug="math-coaches")
    assert response.status_code == 302
    assert response["Location"] == reverse("communities:manage_focus_areas", kwargs={"slug": "math-coaches"})
    assert community.created_by == leader
    assert set(community.districts.all()) == {leader.district, other}
    assert Membership.objects.get(community=community, user=leader).is_moderator


def test_create_form_suggests_the_creators_district(client, leader):
    client.force_login(leader)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["form"].initial["districts"] == [leader.district_id]


def test_empty_slug_is_made_from_the_name(client, leader):
    client.force_login(leader)
    client.post(URL, valid_data(slug="", name="Science Labs K-5"))
    assert Community.objects.filter(slug="science-labs-k-5").exists()


def test_staff_may_create_a_community(client):
    client.force_login(UserFactory(is_staff=True))
    assert client.post(URL, valid_data()).status_code == 302


def test_teacher_without_the_right_gets_403_and_nothing_is_created(client, user):
    client.force_login(user)
    response = client.post(URL, valid_data())
    assert response.status_code == 403
    assert b"district leaders given the right" in response.content
    assert not Community.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Give the community a name."),
        ({"name": "   "}, "name", "Give the community a name."),
        ({"slug": "math coaches"}, "slug", "cannot contain spaces"),
        ({"slug": "Math_Coaches!"}, "slug", "lowercase letters, numbers and single hyphens"),
        ({"slug": "new"}, "slug", "The address /c/new/ is not available. Pick another address."),
        ({"domain": ""}, "domain", "shared concern"),
        ({"name": "x" * 121}, "name", "at most 120 characters"),
        ({"visibility": "hidden", "join_policy": "open"}, "join_policy", "only be joined by invitation"),
        ({"visibility": "secret"}, "visibility", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_created(client, leader, overrides, field, message):
    client.force_login(leader)
    response = client.post(URL, valid_data(**overrides))
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not Community.objects.exists()
    assert not Membership.objects.exists()


def test_duplicate_slug_is_refused(client, leader):
    CommunityFactory(slug="math-coaches")
    client.force_login(leader)
    response = client.post(URL, valid_data())
    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [
        "The address /c/math-coaches/ is not available. Pick another address."
    ]
    assert Community.objects.count() == 1


@pytest.mark.parametrize("visibility", ["public", "members", "hidden"])
def test_a_taken_address_gets_the_same_answer_as_a_reserved_one_whatever_the_visibility(client, leader, visibility):
    CommunityFactory(slug="principals-circle", name="Principals Circle", visibility=visibility)
    client.force_login(leader)
    taken = client.post(URL, valid_data(slug="principals-circle"))
    reserved = client.post(URL, valid_data(slug="manage"))
    assert taken.status_code == reserved.status_code == 400
    message = taken.context["form"].errors["slug"]
    assert message == [
        m.replace("/c/manage/", "/c/principals-circle/") for m in reserved.context["form"].errors["slug"]
    ]
    assert "Principals Circle" not in taken.content.decode()


def test_the_new_page_is_not_mistaken_for_a_community(client, leader):
    client.force_login(leader)
    response = client.get("/c/new/")
    assert response.status_code == 200
    assert b"Start a community" in response.content
