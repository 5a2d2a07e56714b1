"""A pulse series' trend for every round, per district and per focus area (issue 18, item 3).

The figures are known by construction: see ``pulse`` for who answered what in each round.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from polls.models import Poll, PollSeries
from polls.selectors import MIN_GROUP_ANSWERS, group_trends, series_rounds
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory, add_ballot, page_text

DASH = "\u2013"  # what the page shows for a withheld figure

pytestmark = pytest.mark.django_db


def rounds_of(community, count, kind=Poll.Kind.SCALE, **extra):
    series = PollSeries.objects.create(community=community)
    now = timezone.now()
    return [
        PollFactory(
            community=community,
            question="How confident do you feel?",
            kind=kind,
            series=series,
            round=i + 1,
            opens_at=now - timedelta(days=30 * (count - i)),
            closes_at=now - timedelta(days=30 * (count - i) - 7),
            **extra,
        )
        for i in range(count)
    ]


def people(community, district, n, follow=None):
    found = []
    for _ in range(n):
        user = UserFactory(district=district)
        MembershipFactory(community=community, user=user)
        if follow is not None:
            follow.followers.add(user)
        found.append(user)
    return found


def answer(poll, users, value):
    """Each of ``users`` answers ``value`` (1 to 5) on a scale poll."""
    choice = poll.choices.get(position=value - 1)
    for user in users:
        add_ballot(poll, user, choice)


@pytest.fixture
def pulse(community):
    """Round 1: Riverside (3 people, all following Fractions) answer 4, Lakeview's one person answers 2.
    Round 2: Riverside answer 5, 5, 2 (average 4.0); Lakeview (now 3 people) answer 1.
    Averages: community R1 (4*3 + 2) / 4 = 3.5, R2 (12 + 3) / 6 = 2.5; Fractions R1 4.0, R2 4.0."""
    riverside, lakeview = DistrictFactory(name="Riverside"), DistrictFactory(name="Lakeview")
    community.districts.add(riverside, lakeview)
    fractions = FocusAreaFactory(community=community, name="Fractions")
    FocusAreaFactory(community=community, name="Geometry")  # nobody follows it: no row
    river = people(community, riverside, 3, follow=fractions)
    lake = people(community, lakeview, 3)
    first, second = rounds_of(community, 2)
    answer(first, river, 4)
    answer(first, lake[:1], 2)
    answer(second, river[:2], 5)
    answer(second, river[2:], 2)
    answer(second, lake, 1)
    return {"rounds": (first, second), "riverside": riverside, "lakeview": lakeview, "fractions": fractions}


def test_every_round_by_district_and_focus_area_from_known_answers(pulse):
    second = pulse["rounds"][1]
    groups = group_trends(poll=second, rounds=series_rounds(poll=second))
    found = {(g.kind, g.name): (g.voters, g.means, g.hidden) for g in groups}
    assert found == {
        ("", "Whole community"): ([4, 6], [3.5, 2.5], [False, False]),
        ("District", "Lakeview"): ([1, 3], [None, 1.0], [True, False]),
        ("District", "Riverside"): ([3, 3], [4.0, 4.0], [False, False]),
        ("Focus area", "Fractions"): ([3, 3], [4.0, 4.0], [False, False]),
    }
    assert MIN_GROUP_ANSWERS == 3


def test_leader_sees_the_table_and_chart_of_every_group(client, moderator, pulse):
    client.force_login(moderator)
    response = client.get(pulse["rounds"][1].get_absolute_url())
    assert response.status_code == 200
    text = page_text(response)
    assert "Every round by district and focus area" in text
    assert "Whole community 3.5 (4) 2.5 (6)" in text
    assert "District: Riverside 4.0 (3) 4.0 (3)" in text
    # Lakeview's single answer in round 1 is withheld.
    assert f"District: Lakeview {DASH} (fewer than 3 answers) 1.0 (3)" in text
    assert "Focus area: Fractions 4.0 (3) 4.0 (3)" in text
    assert "Geometry" not in text.split("Every round by district")[1]
    html = response.content.decode()
    assert 'aria-labelledby="groups-title groups-desc"' in html
    assert html.count("<polyline") >= 2 + 4  # the per-answer trend (5 answers) and a line per group


def test_leader_charts_one_district_and_small_rounds_are_withheld(client, moderator, pulse):
    client.force_login(moderator)
    url = pulse["rounds"][1].get_absolute_url()
    text = page_text(client.get(url, {"group": f"district-{pulse['riverside'].pk}"}))
    assert "How answers moved, round by round: Riverside (district)" in text
    # Riverside: R1 everyone 4; R2 two 5s and a 2.
    assert "4 100.0% 0.0%" in text
    assert "5 0.0% 66.7%" in text
    assert "2 0.0% 33.3%" in text
    lake = page_text(client.get(url, {"group": f"district-{pulse['lakeview'].pk}"}))
    assert "How answers moved, round by round: Lakeview (district)" in lake
    assert f"1 {DASH} 100.0%" in lake
    assert "Voters 1 3" in lake
    area = page_text(client.get(url, {"group": f"area-{pulse['fractions'].pk}"}))
    assert "How answers moved, round by round: Fractions (focus area)" in area


@pytest.mark.parametrize("value", ["district-abc", "district-999999", "area-", "nonsense", "x" * 500])
def test_an_unknown_group_is_a_clear_400(client, moderator, pulse, value):
    client.force_login(moderator)
    response = client.get(pulse["rounds"][1].get_absolute_url(), {"group": value})
    assert response.status_code == 400
    assert "Pick a district or focus area from the list" in page_text(response)
    assert "How answers moved, round by round" in page_text(response)  # the community's trend still shows


def test_another_communitys_district_or_focus_area_is_refused(client, moderator, pulse):
    other = CommunityFactory()
    elsewhere = DistrictFactory(name="Elsewhere")
    other_area = FocusAreaFactory(community=other, name="Secret area")
    voters = people(other, elsewhere, 3, follow=other_area)
    (theirs,) = rounds_of(other, 1)
    answer(theirs, voters, 5)
    client.force_login(moderator)
    url = pulse["rounds"][1].get_absolute_url()
    for value in (f"district-{elsewhere.pk}", f"area-{other_area.pk}"):
        response = client.get(url, {"group": value})
        assert response.status_code == 400
        assert "Elsewhere" not in page_text(response)
        assert "Secret area" not in page_text(response)


def test_members_and_visitors_see_no_breakdown(client, member, pulse):
    client.force_login(member)
    for params in ({}, {"group": f"district-{pulse['riverside'].pk}"}):
        response = client.get(pulse["rounds"][1].get_absolute_url(), params)
        assert response.status_code == 200
        text = page_text(response)
        assert "Every round by district and focus area" not in text
        assert "Riverside" not in text
    client.logout()
    text = page_text(client.get(pulse["rounds"][1].get_absolute_url(), {"group": "district-1"}))
    assert "Riverside" not in text


def test_anonymous_series_has_no_breakdown(client, moderator, community):
    _first, second = rounds_of(community, 2, is_anonymous=True)
    client.force_login(moderator)
    text = page_text(client.get(second.get_absolute_url()))
    assert "How answers moved, round by round" in text
    assert "Every round by district and focus area" not in text


def test_choice_series_counts_voters_per_group(client, moderator, community):
    north = DistrictFactory(name="North")
    rounds = rounds_of(community, 2, kind=Poll.Kind.SINGLE)
    users = people(community, north, 4)
    for user in users:
        add_ballot(rounds[0], user, rounds[0].choices.get(label="Yes"))
    for user in users[:3]:
        add_ballot(rounds[1], user, rounds[1].choices.get(label="No"))
    client.force_login(moderator)
    text = page_text(client.get(rounds[1].get_absolute_url(), {"group": f"district-{north.pk}"}))
    assert "District: North 4 3" in text
    assert "Yes 100.0% 0.0%" in text


def grow(community, rounds, districts, per_district, tag):
    for d in range(districts):
        district = DistrictFactory(name=f"District {tag}{d}")
        area = FocusAreaFactory(community=community, name=f"Area {tag}{d}")
        users = people(community, district, per_district, follow=area)
        for poll in rounds:
            answer(poll, users, 1 + d % 5)


def test_trend_queries_are_fixed_whatever_the_rounds_districts_and_areas(
    client, moderator, community, assert_num_queries_exact
):
    few = rounds_of(community, 2)
    grow(community, few, 1, 3, "a")
    client.force_login(moderator)
    client.get(few[-1].get_absolute_url())  # warm the session's caches
    # 21 includes the moderator's tab counts (one query).
    with assert_num_queries_exact(19):
        assert client.get(few[-1].get_absolute_url()).status_code == 200
    many = rounds_of(community, 12)
    grow(community, many, 8, 4, "b")
    client.get(many[-1].get_absolute_url())
    area = community.focus_areas.last()
    with assert_num_queries_exact(19):
        response = client.get(many[-1].get_absolute_url(), {"group": f"area-{area.pk}"})
    assert response.status_code == 200
    assert "R12" in page_text(response)
