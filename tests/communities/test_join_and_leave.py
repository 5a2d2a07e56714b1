import pytest
from django.urls import reverse

from communities.models import Community, JoinRequest, Membership
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def join_url(community):
    return reverse("communities:join", kwargs={"slug": community.slug})


def leave_url(community):
    return reverse("communities:leave", kwargs={"slug": community.slug})


def test_joining_an_open_community_makes_you_a_member_at_once(client, user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.OPEN)
    client.force_login(user)
    response = client.post(join_url(community), follow=True)
    assert Membership.objects.filter(community=community, user=user).exists()
    assert f"Welcome to {community.name}!" in response.content.decode()


def test_joining_by_request_stores_the_request_with_its_message(client, user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST, visibility="members")
    client.force_login(user)
    response = client.post(join_url(community), {"message": "I coach grade 3."}, follow=True)
    request = JoinRequest.objects.get(community=community, user=user)
    assert (request.status, request.message) == ("pending", "I coach grade 3.")
    assert not Membership.objects.filter(community=community, user=user).exists()
    assert "waiting for a moderator" in response.content.decode()


def test_asking_twice_is_refused_and_nothing_changes(client, user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    client.force_login(user)
    client.post(join_url(community), {"message": "first"})
    response = client.post(join_url(community), {"message": "second"})
    assert response.status_code == 409
    assert "already asked to join" in response.content.decode()
    assert list(JoinRequest.objects.values_list("message", flat=True)) == ["first"]


def test_joining_twice_is_refused_and_nothing_changes(client, community, member):
    client.force_login(member)
    before = Membership.objects.get(community=community, user=member)
    response = client.post(join_url(community))
    assert response.status_code == 409
    assert f"already a member of {community.name}" in response.content.decode()
    assert list(Membership.objects.filter(community=community)) == [before]


def test_invitation_only_community_refuses_with_403_and_says_why(client, user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.INVITATION)
    client.force_login(user)
    response = client.post(join_url(community))
    assert response.status_code == 403
    assert "invitation only" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_outsider_cannot_join_a_hidden_community_and_learns_nothing(client, user):
    community = CommunityFactory(name="Quiet Circle", visibility="hidden")
    client.force_login(user)
    response = client.post(join_url(community))
    assert response.status_code == 404
    assert b"Quiet Circle" not in response.content


def test_too_long_request_message_is_refused(client, user):
    community = CommunityFactory(join_policy=Community.JoinPolicy.REQUEST)
    client.force_login(user)
    response = client.post(join_url(community), {"message": "x" * 1001})
    assert response.status_code == 400
    assert not JoinRequest.objects.exists()


def test_anonymous_join_is_sent_to_log_in(client, community):
    response = client.post(join_url(community))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Membership.objects.exists()


def test_join_by_get_is_not_allowed(client, user, community):
    client.force_login(user)
    assert client.get(join_url(community)).status_code == 405


def test_member_leaves_and_their_focus_area_leadership_goes_with_them(client, community, member):
    area = FocusAreaFactory(community=community)
    area.leaders.add(member)
    area.followers.add(member)
    client.force_login(member)
    response = client.post(leave_url(community))
    assert response.status_code == 302
    assert not Membership.objects.filter(community=community, user=member).exists()
    assert not area.leaders.exists()
    assert not area.followers.exists()


def test_the_only_moderator_cannot_leave(client, community, moderator):
    client.force_login(moderator)
    response = client.post(leave_url(community))
    assert response.status_code == 409
    assert "only moderator" in response.content.decode()
    assert Membership.objects.filter(community=community, user=moderator).exists()


def test_a_moderator_may_leave_when_another_remains(client, community, moderator):
    MembershipFactory(community=community, is_moderator=True)
    client.force_login(moderator)
    assert client.post(leave_url(community)).status_code == 302
    assert not Membership.objects.filter(community=community, user=moderator).exists()


def test_member_follows_and_unfollows_a_focus_area(client, community, member):
    area = FocusAreaFactory(community=community)
    client.force_login(member)
    kwargs = {"slug": community.slug, "area_slug": area.slug}
    client.post(reverse("communities:follow_focus_area", kwargs=kwargs))
    client.post(reverse("communities:follow_focus_area", kwargs=kwargs))
    assert list(area.followers.all()) == [member]
    client.post(reverse("communities:unfollow_focus_area", kwargs=kwargs))
    assert not area.followers.exists()


def test_follow_by_htmx_returns_the_button_to_swap(client, community, member):
    area = FocusAreaFactory(community=community, name="Block coding")
    client.force_login(member)
    url = reverse("communities:follow_focus_area", kwargs={"slug": community.slug, "area_slug": area.slug})
    response = client.post(url, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Unfollow" in body
    assert "<html" not in body


def test_following_another_communitys_focus_area_gives_404(client, community, member):
    other_area = FocusAreaFactory(community=CommunityFactory())
    client.force_login(member)
    url = reverse("communities:follow_focus_area", kwargs={"slug": community.slug, "area_slug": other_area.slug})
    assert client.post(url).status_code == 404
    assert not other_area.followers.exists()


def test_home_shows_which_focus_areas_each_member_follows(client, community, member):
    followed = FocusAreaFactory(community=community, name="Block coding")
    FocusAreaFactory(community=community, name="Assessment")
    elsewhere = FocusAreaFactory(community=CommunityFactory(), name="Assessment")
    followed.followers.add(member)
    elsewhere.followers.add(member)
    followed.leaders.add(member)
    client.force_login(member)
    page = client.get(community.get_absolute_url()).content.decode()
    assert 'Unfollow<span class="visually-hidden"> Block coding' in page
    assert 'Follow<span class="visually-hidden"> Assessment' in page
    assert page.count("Unfollow<span") == 1
    assert f'Led by <a class="person" href="/u/{member.username}/"' in page
    client.force_login(MembershipFactory(community=community).user)
    assert "Unfollow<span" not in client.get(community.get_absolute_url()).content.decode()


def test_home_shows_follow_buttons_to_members_only(client, community, member, user):
    FocusAreaFactory(community=community, name="Block coding")
    client.force_login(member)
    assert (
        'Follow<span class="visually-hidden"> Block coding' in client.get(community.get_absolute_url()).content.decode()
    )
    client.force_login(user)
    assert "Follow<span" not in client.get(community.get_absolute_url()).content.decode()
