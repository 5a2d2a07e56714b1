"""Invitations in bulk (pasted or CSV), roles that apply on joining, reusable links (issue 18, item 4)."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from communities import services
from communities.models import FocusArea, Invitation, InvitationLink, Membership
from communities.services import invitation_token
from tests.communities.factories import InvitationFactory
from tests.factories import DistrictFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(community):
    riverside = DistrictFactory(name="Riverside USD")
    community.districts.add(riverside)
    area = FocusArea.objects.create(community=community, name="Algebra", slug="algebra")
    manager = MembershipFactory(community=community, is_moderator=True).user
    return community, riverside, area, manager


def url(community):
    return f"/c/{community.slug}/manage/invitations/bulk/"


def test_preview_sorts_members_invited_repeats_malformed_and_new(client, setup):
    community, _riverside, _area, manager = setup
    MembershipFactory(community=community, user__email="Member@School.org")
    InvitationFactory(community=community, email="asked@school.org")
    text = "\n".join(
        [
            "email,name,district",
            "new1@school.org, Ana Ruiz, Riverside USD",
            "member@school.org",
            "ASKED@school.org",
            "not an address",
            "new1@school.org",
            "Bo Chen <bo@school.org>",
            "x@school.org, X, Nowhere SD",
        ]
    )
    client.force_login(manager)
    response = client.post(url(community), {"addresses": text, "preview": "1"})
    assert response.status_code == 200
    lines = response.context["lines"]
    assert [(line.email, line.status) for line in lines] == [
        ("new1@school.org", "new"),
        ("member@school.org", "member"),
        ("ASKED@school.org", "invited"),
        ("not an address", "malformed"),
        ("new1@school.org", "duplicate"),
        ("bo@school.org", "new"),
        ("x@school.org", "malformed"),
    ]
    assert "Send 2 invitations" in response.content.decode()
    assert not Invitation.objects.exclude(email="asked@school.org").exists()  # a preview sends nothing


def test_send_invites_only_the_new_ones_at_once(client, setup, mailoutbox, django_capture_on_commit_callbacks):
    community, riverside, _area, manager = setup
    MembershipFactory(community=community, user__email="member@school.org")
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(community),
            {"addresses": "a@school.org, Ana, Riverside USD\nmember@school.org\nb@school.org\nbad", "send": "1"},
        )
    assert response.status_code == 302
    invited = Invitation.objects.order_by("email")
    assert [(i.email, i.name, i.district) for i in invited] == [
        ("a@school.org", "Ana", riverside),
        ("b@school.org", "", None),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["a@school.org", "b@school.org"]


def test_a_500_line_csv_previews_and_sends(client, setup, django_assert_max_num_queries):
    community, _riverside, _area, manager = setup
    rows = "email,name,district\n" + "".join(f"t{i}@school.org,Teacher {i},Riverside USD\n" for i in range(500))
    client.force_login(manager)
    with django_assert_max_num_queries(15):
        response = client.post(
            url(community), {"csv_file": SimpleUploadedFile("list.csv", rows.encode()), "preview": "1"}
        )
    assert response.status_code == 200
    assert response.context["counts"]["new"] == 500
    assert "t499@school.org,Teacher 499" in response.content.decode()  # the file's lines are in the box to send
    response = client.post(url(community), {"csv_file": SimpleUploadedFile("list.csv", rows.encode()), "send": "1"})
    assert response.status_code == 302
    assert Invitation.objects.count() == 500


def test_a_10000_line_csv_is_refused_and_nothing_sent(client, setup):
    community, _riverside, _area, manager = setup
    rows = "".join(f"t{i}@school.org\n" for i in range(10_000))
    client.force_login(manager)
    response = client.post(url(community), {"csv_file": SimpleUploadedFile("big.csv", rows.encode()), "send": "1"})
    assert response.status_code == 400
    assert "more than 2000 lines" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_file_that_is_not_a_csv_is_refused_and_the_text_stays(client, setup):
    community, _riverside, _area, manager = setup
    client.force_login(manager)
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe"
    response = client.post(
        url(community),
        {"csv_file": SimpleUploadedFile("photo.csv", png), "addresses": "kept@school.org", "send": "1"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "not a CSV we can read" in page
    assert "kept@school.org" in page
    assert not Invitation.objects.exists()


def test_an_empty_list_is_refused(client, setup):
    community, _riverside, _area, manager = setup
    client.force_login(manager)
    response = client.post(url(community), {"addresses": "  \n ", "preview": "1"})
    assert response.status_code == 400
    assert "at least one email address" in response.content.decode()


def test_members_may_not_invite_in_bulk(client, setup, member):
    community = setup[0]
    client.force_login(member)
    assert client.post(url(community), {"addresses": "a@school.org", "send": "1"}).status_code == 403
    assert not Invitation.objects.exists()


def test_roles_apply_when_the_invited_person_joins(client, setup):
    community, riverside, area, manager = setup
    client.force_login(manager)
    text = "lead@school.org, Lee, Riverside USD, district leader\nfocus@school.org, Fay, Riverside USD, Algebra"
    assert client.post(url(community), {"addresses": text, "send": "1"}).status_code == 302
    for email in ("lead@school.org", "focus@school.org"):
        person = UserFactory(email=email)
        client.force_login(person)
        invitation = Invitation.objects.get(email=email)
        path = reverse("communities:invitation", kwargs={"token": invitation_token(invitation)})
        assert client.post(path).status_code == 302
    lead = Membership.objects.get(user__email="lead@school.org")
    assert (lead.district, lead.district_confirmed, lead.is_district_leader) == (riverside, True, True)
    focus = Membership.objects.get(user__email="focus@school.org")
    assert (focus.district_confirmed, focus.is_district_leader) == (True, False)
    assert list(area.leaders.values_list("email", flat=True)) == ["focus@school.org"]


def test_batch_role_makes_everyone_a_focus_area_leader(client, setup):
    community, _riverside, area, manager = setup
    client.force_login(manager)
    response = client.post(url(community), {"addresses": "a@school.org", "leads_focus_area": area.pk, "send": "1"})
    assert response.status_code == 302
    assert Invitation.objects.get().leads_focus_area == area


# -- reusable links -------------------------------------------------------------------


def _join_url(link):
    return reverse("communities:join_link", kwargs={"token": link.token})


def test_reusable_link_lets_people_join_up_to_its_limit(client, setup):
    community, _riverside, _area, manager = setup
    client.force_login(manager)
    response = client.post(f"/c/{community.slug}/manage/invitations/links/", {"days": 7, "max_uses": 2})
    assert response.status_code == 302
    link = InvitationLink.objects.get()
    for _ in range(2):
        client.force_login(UserFactory())
        assert client.post(_join_url(link)).status_code == 302
    link.refresh_from_db()
    assert link.uses == 2
    client.force_login(UserFactory())
    response = client.post(_join_url(link))
    assert response.status_code == 410
    assert "used as many times" in response.content.decode()
    assert client.get(_join_url(link)).status_code == 410
    assert Membership.objects.filter(community=community).count() == 3


def test_expired_and_withdrawn_links_answer_410(client, setup):
    community, _riverside, _area, manager = setup
    expired = InvitationLink.objects.create(
        community=community, token="expired-token-123456", expires_at=timezone.now() - timedelta(minutes=1), max_uses=5
    )
    client.force_login(UserFactory())
    assert client.post(_join_url(expired)).status_code == 410
    live = InvitationLink.objects.create(
        community=community, token="live-token-1234567890", expires_at=timezone.now() + timedelta(days=1), max_uses=5
    )
    client.force_login(manager)
    assert client.post(f"/c/{community.slug}/manage/invitations/links/{live.pk}/revoke/").status_code == 302
    client.force_login(UserFactory())
    assert client.post(_join_url(live)).status_code == 410
    assert client.get("/join/no-such-token/").status_code == 404
    assert not Membership.objects.filter(community=community).exclude(user=manager).exists()


def test_link_with_zero_uses_or_too_many_days_is_refused(client, setup):
    community, _riverside, _area, manager = setup
    client.force_login(manager)
    for data in ({"days": 0, "max_uses": 5}, {"days": 400, "max_uses": 5}, {"days": 5, "max_uses": 0}, {}):
        assert client.post(f"/c/{community.slug}/manage/invitations/links/", data).status_code == 400
    assert not InvitationLink.objects.exists()


def test_service_refuses_a_focus_area_of_another_community(setup):
    from communities.permissions import access_for
    from tests.factories import CommunityFactory

    community, _riverside, _area, manager = setup
    elsewhere = FocusArea.objects.create(community=CommunityFactory(), name="Far", slug="far")
    access = access_for(manager, community)
    lines = services.parse_bulk_invitations(access=access, text="a@school.org")
    with pytest.raises(services.ValidationError):
        services.send_bulk_invitations(access=access, lines=lines, leads_focus_area=elsewhere)
    assert not Invitation.objects.exists()
