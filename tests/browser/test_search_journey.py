"""A teacher searches the whole site from the header: some words, a misspelling, one kind, at phone width."""

import pytest
from playwright.sync_api import expect

from discussions import services
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "test-artifacts/screenshots"


def _world():
    community = CommunityFactory(name="Computational Thinking", slug="ct")
    secret = CommunityFactory(name="Leaders only", slug="leaders", visibility="hidden")
    teacher = MembershipFactory(community=community, user=UserFactory(display_name="Tess")).user
    ThreadFactory(
        community=community,
        title="Which block-coding app works offline on old tablets?",
        body="Our Wi-Fi drops every afternoon and the tablets are five years old.",
    )
    ThreadFactory(community=community, title="Tablets for the maker space", body="Which tablets do you buy?")
    ResourceFactory(community=community, title="Offline coding on tablets: a checklist", tags="tablets, offline")
    ActivityFactory(community=community, title="Tablet troubleshooting drop-in", description="Bring your old tablets.")
    PollFactory(community=community, question="Do your tablets work offline?")
    ThreadFactory(community=secret, title="Offline tablets budget cuts", body="Confidential.")
    services.refresh_search_words()
    return teacher


def test_search_from_the_header_groups_every_kind_and_suggests_a_spelling(page, login_as):
    teacher = _world()
    login_as(page, teacher)
    page.goto("/")
    page.get_by_label("Search discussions and resources").fill("scratch offline tablets")
    page.keyboard.press("Enter")

    # Some of the words are enough; the thread with more of them comes first.
    discussions = page.locator("#results-discussions")
    expect(discussions.get_by_role("link").first).to_have_text("Which block-coding app works offline on old tablets?")
    for kind, title in (
        ("resources", "Offline coding on tablets: a checklist"),
        ("activities", "Tablet troubleshooting drop-in"),
        ("polls", "Do your tablets work offline?"),
    ):
        expect(page.locator(f"#results-{kind}").get_by_role("link", name=title)).to_be_visible()
    expect(page.get_by_text("Offline tablets budget cuts")).to_have_count(0)
    page.screenshot(path=f"{SHOTS}/search-grouped.png", full_page=True)

    # A misspelling: the page offers the word people wrote.
    page.get_by_label("Search for").fill("tablts offline")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("link", name="tablets offline").click()
    expect(page.get_by_label("Search for")).to_have_value("tablets offline")
    expect(discussions.get_by_role("link").first).to_be_visible()

    # One kind alone.
    page.get_by_label("Show").select_option("Resources")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(
        page.locator("#results-resources").get_by_role("link", name="Offline coding on tablets: a checklist")
    ).to_be_visible()
    expect(page.locator("#results-discussions")).to_have_count(0)
    page.get_by_role("link", name="Show every kind of result").click()
    expect(page.locator("#results-discussions")).to_be_visible()


def test_search_at_phone_width(phone_page, login_as):
    teacher = _world()
    login_as(phone_page, teacher)
    phone_page.goto('/search/?q="old+tablets"')
    expect(phone_page.locator("#results-discussions").get_by_role("link")).to_have_text(
        "Which block-coding app works offline on old tablets?"
    )
    phone_page.screenshot(path=f"{SHOTS}/search-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width} px)"
