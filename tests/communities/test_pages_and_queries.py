from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from communities.models import Community, Membership
from communities.selectors import new_members
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def members_url(community, **params):
    from urllib.parse import urlencode

    base = reverse("communities:members", kwargs={"slug": community.slug})
    return f"{base}?{urlencode(params)}" if params else base


def add_members(community, count, districts):
    users = User.objects.bulk_create(
        [
            User(username=f"bulk{i}", email=f"bulk{i}@example.com", display_name=f"Bulk {i}", district=districts[i % 3])
            for i in range(count)
        ]
    )
    Membership.objects.bulk_create(
        [Membership(user=u, community=community, is_mentor=i % 7 == 0) for i, u in enumerate(users)]
    )
    return users


def test_directory_with_200_communities_uses_a_fixed_number_of_queries(client, user, assert_num_queries_exact):
    Community.objects.bulk_create(
        [Community(name=f"Community {i:03}", slug=f"c-{i}", domain="Teaching", visibility="public") for i in range(200)]
    )
    client.force_login(user)
    client.get(reverse("communities:directory"))  # warm the session
    with assert_num_queries_exact(4):
        response = client.get(reverse("communities:directory"))
    assert response.status_code == 200
    assert response.content.decode().count('class="card h-100"') == 200


def test_directory_never_lists_hidden_communities_to_outsiders(client, user):
    CommunityFactory(name="Open Lab")
    CommunityFactory(name="Quiet Circle", visibility="hidden")
    client.force_login(user)
    body = client.get(reverse("communities:directory")).content.decode()
    assert "Open Lab" in body
    assert "Quiet Circle" not in body


def test_directory_searches_by_domain_and_filters_by_audience(client):
    CommunityFactory(name="A", domain="Robotics in class", audience="coaches")
    CommunityFactory(name="B", domain="Reading", audience="coaches")
    CommunityFactory(name="C", domain="Robotics clubs", audience="principals")
    response = client.get(reverse("communities:directory"), {"q": "robotics", "audience": "coaches"})
    assert [c.name for c in response.context["communities"]] == ["A"]


def test_members_page_with_500_members_uses_a_fixed_number_of_queries(client, assert_num_queries_exact):
    community = CommunityFactory(visibility="members")
    districts = [DistrictFactory(name=f"District {n}") for n in "ABC"]
    users = add_members(community, 500, districts)
    area = FocusAreaFactory(community=community)
    area.leaders.add(*users[:20])
    viewer = MembershipFactory(community=community).user
    client.force_login(viewer)
    with assert_num_queries_exact(9):
        response = client.get(members_url(community))
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 501
    few = CommunityFactory(visibility="members")
    MembershipFactory(community=few, user=viewer)
    with assert_num_queries_exact(9):
        client.get(members_url(few))


def test_members_are_grouped_by_district_with_their_roles(client, community, member):
    riverside = DistrictFactory(name="Riverside USD")
    leader = UserFactory(display_name="Dana Leader", district=riverside)
    MembershipFactory(community=community, user=leader, is_district_leader=True)
    area = FocusAreaFactory(community=community, name="Block coding")
    area.leaders.add(leader)
    client.force_login(member)
    body = client.get(members_url(community)).content.decode()
    assert "Riverside USD" in body
    assert "No district" in body
    assert "District leader" in body
    assert "Leads Block coding" in body
    assert body.index("Riverside USD") < body.index("No district")  # districts by name; no district comes last


def test_members_filter_by_district_and_role(client, community, member):
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    a = MembershipFactory(community=community, user=UserFactory(district=riverside), is_mentor=True).user
    MembershipFactory(community=community, user=UserFactory(district=riverside))
    MembershipFactory(community=community, user=UserFactory(district=lakeview), is_mentor=True)
    client.force_login(member)
    response = client.get(members_url(community, district=riverside.pk, role="mentor"))
    assert [m.user for m in response.context["page"].object_list] == [a]


def test_members_filter_by_focus_area_leader(client, community, member):
    leader = MembershipFactory(community=community).user
    FocusAreaFactory(community=community).leaders.add(leader)
    client.force_login(member)
    response = client.get(members_url(community, role="focus_area_leader"))
    assert [m.user for m in response.context["page"].object_list] == [leader]


@pytest.mark.parametrize("params", [{"district": "abc"}, {"district": "999999"}, {"role": "king"}])
def test_bad_member_filter_gets_400_with_a_message(client, community, member, params):
    client.force_login(member)
    response = client.get(members_url(community, **params))
    assert response.status_code == 400
    assert "Pick a" in response.content.decode()


def test_outsider_cannot_list_members_of_a_members_only_community(client, user):
    community = CommunityFactory(visibility="members")
    MembershipFactory(community=community, user=UserFactory(display_name="Secret Sam"))
    client.force_login(user)
    response = client.get(members_url(community))
    assert response.status_code == 403
    assert b"Secret Sam" not in response.content


def test_new_members_returns_memberships_that_began_in_the_window():
    community, other = CommunityFactory(), CommunityFactory()
    now = timezone.now()
    since, until = now - timedelta(days=30), now
    inside = MembershipFactory(community=community, joined_at=now - timedelta(days=2))
    MembershipFactory(community=community, joined_at=now - timedelta(days=40))
    MembershipFactory(community=community, joined_at=until)  # the end is excluded
    MembershipFactory(community=other, joined_at=now - timedelta(days=2))
    at_start = MembershipFactory(community=community, joined_at=since)
    result = list(new_members(communities=[community], since=since, until=until))
    assert set(result) == {inside, at_start}
    assert result[0].user.username  # loaded with the row


def test_new_members_loads_users_in_one_query(assert_num_queries_exact):
    community = CommunityFactory()
    for _ in range(5):
        MembershipFactory(community=community)
    now = timezone.now()
    with assert_num_queries_exact(1):
        names = [
            m.user.name
            for m in new_members(
                communities=Community.objects.all(), since=now - timedelta(1), until=now + timedelta(1)
            )
        ]
    assert len(names) == 5


def test_home_page_query_count_does_not_grow_with_focus_areas(client, community, member, assert_num_queries_exact):
    for _ in range(3):
        FocusAreaFactory(community=community).leaders.add(member)
    # Recent discussions show the last people to reply: 2 queries (a window over the replies, the people).
    thread = ThreadFactory(community=community, author=member)
    PostFactory(thread=thread, author=member)
    client.force_login(member)
    client.get(community.get_absolute_url())
    # 18 before "What needs you" (issue 20): its calls to action here add six (duties, polls, activities
    # with the RSVPs, questions with the member's own questions, mentoring), the next chat one; the polls
    # panel and the mentoring panel's own query are folded into it (-2). Which focus areas the member
    # follows comes with the focus areas (-1, issue 19). The questions and the member's own questions are two
    # statements again (+1, issue 19: PostgreSQL took longer to plan their UNION than the two). Coming up takes
    # its dates from What needs you's activities (-1, issue 19).
    with assert_num_queries_exact(21):
        client.get(community.get_absolute_url())
    for _ in range(30):
        FocusAreaFactory(community=community).leaders.add(MembershipFactory(community=community).user)
    for _ in range(6):
        thread = ThreadFactory(community=community, author=member)
        for _ in range(4):
            PostFactory(thread=thread)
    with assert_num_queries_exact(21):
        response = client.get(community.get_absolute_url())
    assert response.content.decode().count("Last replies by") == 5
