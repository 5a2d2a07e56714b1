"""A member finds "My calendar" from the header and settings and subscribes with one click."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from calendar_app.models import FeedToken
from calendar_app.services import community_feed_token
from communities.models import Community
from tests.browser.fixtures import journey_shot
from tests.calendar_app.factories import ActivityFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member():
    user = UserFactory(display_name="Rosa Diaz", time_zone="America/New_York")
    for community in (
        CommunityFactory(name="Early Literacy", slug="early-literacy"),
        CommunityFactory(name="Principals Circle", slug="principals-circle", visibility="members"),
    ):
        MembershipFactory(user=user, community=community)
        ActivityFactory(community=community, title=f"{community.name} meetup")
    return user


def check_feed_links(page, field_name, expected_url):
    field = page.get_by_label(field_name)
    expect(field).to_have_value(expected_url)
    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == expected_url
    webcal = "webcal://" + expected_url.split("://", 1)[1]
    expect(page.get_by_role("link", name="Open in your calendar app")).to_have_attribute("href", webcal)
    google = urlsplit(page.get_by_role("link", name="Add to Google Calendar").get_attribute("href"))
    assert (google.netloc, google.path, parse_qs(google.query)["cid"]) == (
        "calendar.google.com",
        "/calendar/render",
        [webcal],
    )
    outlook = urlsplit(page.get_by_role("link", name="Add to Outlook").get_attribute("href"))
    assert (outlook.netloc, outlook.path, parse_qs(outlook.query)["url"]) == (
        "outlook.office.com",
        "/calendar/0/addfromweb",
        [expected_url],
    )


def test_member_opens_my_calendar_from_the_header_and_copies_the_feed(page, login_as, live_server, member):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login_as(page, member)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My calendar").click()
    expect(page.get_by_role("heading", name="My calendar", level=1)).to_be_visible()
    expect(page.get_by_text("Principals Circle meetup")).to_be_visible()
    token = FeedToken.objects.get(user=member).token
    check_feed_links(page, "Your calendar link", f"{live_server.url}/calendar/{token}.ics")
    journey_shot(page, "my-calendar")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    page.get_by_role("main").get_by_role("link", name="My calendar").click()
    expect(page.get_by_role("heading", name="My calendar", level=1)).to_be_visible()

    # A members-only community's own feed has a link of its own (scoped to that community,
    # never the personal token), with the same ways to subscribe.
    page.goto("/c/principals-circle/calendar/")
    scoped = community_feed_token(user=member, community=Community.objects.get(slug="principals-circle"))
    assert token not in scoped
    check_feed_links(page, "Calendar feed link", f"{live_server.url}/c/principals-circle/calendar.ics?token={scoped}")
    journey_shot(page, "community-calendar-feed")


def test_my_calendar_at_phone_width(phone_page, login_as, member):
    login_as(phone_page, member)
    phone_page.goto("/")
    phone_page.get_by_role("button", name="Toggle navigation").click()
    phone_page.get_by_role("link", name="My calendar").click()
    expect(phone_page.get_by_label("Your calendar link")).to_be_visible()
    expect(phone_page.get_by_role("link", name="Add to Google Calendar")).to_be_visible()
    journey_shot(phone_page, "my-calendar-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
