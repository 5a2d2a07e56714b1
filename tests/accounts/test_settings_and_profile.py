import pytest

from accounts.models import User
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def settings_data(**overrides):
    data = {
        "display_name": "Ms. Rivera",
        "district": "",
        "time_zone": "America/Chicago",
        "digest_frequency": "weekly",
        "bio": "Grade 4 teacher.",
    }
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_member_edits_display_name_district_time_zone_and_digest(logged_in, user):
    district = DistrictFactory(name="Riverside USD")
    response = logged_in.post("/settings/", settings_data(district=district.pk))
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.district, user.time_zone, user.digest_frequency) == (
        "Ms. Rivera",
        district,
        "America/Chicago",
        "weekly",
    )
    assert user.email_on_reply is True  # email choices live in the notifications section now


@pytest.mark.django_db
def test_unknown_time_zone_gets_a_clear_message_and_nothing_changes(logged_in, user):
    response = logged_in.post("/settings/", settings_data(time_zone="Mars/Olympus_Mons"))
    assert response.status_code == 400
    assert "is not a time zone we know" in response.content.decode()
    user.refresh_from_db()
    assert user.time_zone == "UTC"
    assert user.display_name != "Ms. Rivera"


@pytest.mark.django_db
def test_settings_reject_wrong_types_and_too_long_values(logged_in, user):
    response = logged_in.post(
        "/settings/", settings_data(district="not-a-number", digest_frequency="hourly", display_name="x" * 81)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "at most 80 characters" in body
    user.refresh_from_db()
    assert user.digest_frequency == User.DigestFrequency.MONTHLY


@pytest.mark.django_db
def test_settings_need_login(client):
    response = client.get("/settings/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_profile_shows_the_person_and_only_communities_the_viewer_may_know(client):
    person = UserFactory(display_name="Ada Teacher", bio="Loves robotics.")
    public = CommunityFactory(name="Open Robotics")
    hidden = CommunityFactory(name="Secret Circle", visibility="hidden")
    MembershipFactory(user=person, community=public)
    MembershipFactory(user=person, community=hidden)
    html = client.get(f"/u/{person.username}/").content.decode()
    assert "Ada Teacher" in html
    assert "Loves robotics." in html
    assert "Open Robotics" in html
    assert "Secret Circle" not in html


@pytest.mark.django_db
def test_profile_lists_a_members_only_community_only_to_those_who_may_see_its_members(client):
    person = UserFactory()
    members_only = CommunityFactory(name="Coaches Corner", visibility="members")
    MembershipFactory(user=person, community=members_only)
    url = f"/u/{person.username}/"
    assert "Coaches Corner" not in client.get(url).content.decode()  # a visitor
    client.force_login(UserFactory())
    assert "Coaches Corner" not in client.get(url).content.decode()  # logged in, not a member
    client.force_login(MembershipFactory(community=members_only).user)
    assert "Coaches Corner" in client.get(url).content.decode()  # a fellow member
    client.force_login(UserFactory(is_staff=True))
    assert "Coaches Corner" in client.get(url).content.decode()


@pytest.mark.django_db
def test_unknown_profile_is_404(client):
    assert client.get("/u/nobody-here/").status_code == 404


@pytest.mark.django_db
def test_home_counts_every_member_of_my_communities(client):
    me = UserFactory()
    community = CommunityFactory(name="Busy Community")
    MembershipFactory(user=me, community=community)
    for _ in range(3):
        MembershipFactory(community=community)
    client.force_login(me)
    html = client.get("/").content.decode()
    assert "4 members" in html
