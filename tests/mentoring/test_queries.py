"""Pages make the same number of queries however many mentors, requests, pairs and messages there are."""

import pytest
from django.urls import reverse

from accounts.models import User
from communities.models import Membership
from mentoring import selectors
from mentoring.models import MentorProfile, Message
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory
from tests.mentoring.factories import active_pairing, member_of, mentor, mentor_request

pytestmark = pytest.mark.django_db


def add_mentors(community, count, focus_areas, start=0):
    district = DistrictFactory(name="Riverside")
    users = User.objects.bulk_create(
        User(username=f"mentor{i}", email=f"mentor{i}@example.com", display_name=f"Mentor {i}", district=district)
        for i in range(start, start + count)
    )
    Membership.objects.bulk_create(Membership(user=u, community=community) for u in users)
    profiles = MentorProfile.objects.bulk_create(
        MentorProfile(community=community, user=u, grade_bands=["k2"] if i % 2 else ["6-8"], capacity=2)
        for i, u in enumerate(users)
    )
    through = MentorProfile.focus_areas.through
    through.objects.bulk_create(
        through(mentorprofile_id=p.pk, focusarea_id=focus_areas[i % len(focus_areas)].pk)
        for i, p in enumerate(profiles)
    )
    return profiles


@pytest.fixture
def world():
    community = CommunityFactory(slug="math")
    areas = [FocusAreaFactory(community=community) for _ in range(3)]
    mentee = member_of(community, district="Lakeview")
    request = mentor_request(community, mentee, focus_areas=areas[:1], grade_band="k2")
    return community, areas, mentee, request


def count_queries(client, path, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_suggestions_for_1000_mentors_make_as_many_queries_as_for_3(world, django_assert_num_queries):
    community, areas, _mentee, request = world
    add_mentors(community, 3, areas)
    with django_assert_num_queries(5):
        few = selectors.suggestions_for(request=request)
    add_mentors(community, 997, areas, start=3)
    with django_assert_num_queries(5):
        many = selectors.suggestions_for(request=request)
    assert len(few) == 3
    assert len(many) == selectors.SUGGESTION_LIMIT
    assert all("both K-2" in s.reasons for s in many)


def test_the_request_page_with_1000_mentors_makes_as_many_queries_as_with_3(
    client, world, django_assert_max_num_queries
):
    community, areas, mentee, request = world
    client.force_login(mentee)
    add_mentors(community, 3, areas)
    few = count_queries(client, request.get_absolute_url(), django_assert_max_num_queries, 16)
    add_mentors(community, 997, areas, start=3)
    assert count_queries(client, request.get_absolute_url(), django_assert_max_num_queries, few) == few


def test_the_leaders_page_with_many_rows_makes_as_many_queries_as_with_few(
    client, world, django_assert_max_num_queries
):
    community, areas, _mentee, _request = world
    leader = member_of(community, is_moderator=True)
    client.force_login(leader)
    path = reverse("mentoring:leaders", kwargs={"slug": "math"})

    def grow(n, start):
        profiles = add_mentors(community, n, areas, start=start)
        for i, profile in enumerate(profiles):
            active_pairing(profile, member_of(community))
            mentor_request(community, member_of(community), focus_areas=areas[: 1 + i % 3])

    grow(2, 0)
    few = count_queries(client, path, django_assert_max_num_queries, 16)
    grow(40, 2)
    assert count_queries(client, path, django_assert_max_num_queries, few) == few


def test_the_pair_page_and_home_with_many_messages_make_as_many_queries_as_with_few(
    client, world, django_assert_max_num_queries
):
    community, _areas, mentee, _request = world
    pairing = active_pairing(mentor(community), mentee)
    client.force_login(mentee)
    home = reverse("mentoring:home", kwargs={"slug": "math"})

    def grow(n):
        Message.objects.bulk_create(
            Message(pairing=pairing, author=pairing.mentor, body="Hi", body_html="<p>Hi</p>") for _ in range(n)
        )
        for _ in range(n // 10 or 1):
            active_pairing(mentor(community), mentee)

    grow(3)
    few_pair = count_queries(client, pairing.get_absolute_url(), django_assert_max_num_queries, 16)
    few_home = count_queries(client, home, django_assert_max_num_queries, 16)
    grow(200)
    assert count_queries(client, pairing.get_absolute_url(), django_assert_max_num_queries, few_pair) == few_pair
    assert count_queries(client, home, django_assert_max_num_queries, few_home) == few_home
