"""A leader reads a pulse series round by round, for the community and then for one district (issue 18, item 3)."""

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import journey_shot
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory
from tests.polls.test_group_trend import answer, people, rounds_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_charts_the_pulse_of_one_district(page, phone_page, login_as):
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    community.districts.add(riverside, lakeview)
    loops = FocusAreaFactory(community=community, name="Loops")
    river = people(community, riverside, 3, follow=loops)
    lake = people(community, lakeview, 2)
    rounds = rounds_of(community, 3)
    for i, poll in enumerate(rounds):
        answer(poll, river, 3 + i % 3)
        answer(poll, lake, 2)

    login_as(page, moderator)
    page.goto(rounds[-1].get_absolute_url())
    expect(page.get_by_role("heading", name="Every round by district and focus area")).to_be_visible()
    expect(
        page.get_by_role(
            "img", name="Average answer to “How confident do you feel?” per round, by district and focus area"
        )
    ).to_be_visible()
    page.get_by_label("Chart the answers of").select_option(label="District: Riverside USD")
    page.get_by_role("button", name="Show").click()
    expect(
        page.get_by_role("heading", name="How answers moved, round by round: Riverside USD (district)")
    ).to_be_visible()
    journey_shot(page, "polls-trend-district")
    # Lakeview has two voters: its figures are withheld.
    page.get_by_label("Chart the answers of").select_option(label="District: Lakeview SD")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("A round with answers from fewer than 3 of them shows")).to_be_visible()

    login_as(phone_page, moderator)
    phone_page.goto(rounds[-1].get_absolute_url() + f"?group=area-{loops.pk}")
    expect(
        phone_page.get_by_role("heading", name="How answers moved, round by round: Loops (focus area)")
    ).to_be_visible()
    journey_shot(phone_page, "polls-trend-focus-area-phone")
