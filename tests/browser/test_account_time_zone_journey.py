"""Times do not jump at sign-up: a visitor in Chicago sees 4:00 PM CST before and after, with the zone named."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.fixtures import journey_shot
from tests.calendar_app.factories import ActivityFactory
from tests.factories import CommunityFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = re.compile(r"^\s*Email\s*\*?\s*$")
PASSWORD = re.compile(r"^\s*Password\s*\*?\s*$")
CLOCK = re.compile(r"\d{1,2}:\d\d")
ZONE = re.compile(r"\b(?:[A-Z]{2,5}|UTC[+-]\d{2}(?::?\d{2})?)$")


def times_shown(page):
    return [text.strip() for text in page.locator("main time").all_inner_texts()]


def assert_every_time_names_its_zone(page):
    for text in times_shown(page):
        if CLOCK.search(text):
            assert ZONE.search(text), f"a time without its zone: {text!r} on {page.url}"


def test_visitor_in_chicago_signs_up_and_sees_the_same_times_with_the_zone(open_page, mailoutbox):
    community = CommunityFactory(name="Science Coaches", slug="science-coaches")
    start = datetime(2027, 1, 12, 22, tzinfo=UTC)  # 4:00 PM in Chicago (CST)
    chat = ActivityFactory(
        community=community, title="Winter lab chat", start=start, end=start + timedelta(hours=1), time_zone="UTC"
    )
    page = open_page("desktop", timezone_id="America/Chicago")
    page.goto("/")  # the site learns the browser's zone on the first page
    page.goto(chat.get_absolute_url())
    before = times_shown(page)
    assert before[0] == "Tue, Jan 12, 2027, 4:00 PM CST"
    assert_every_time_names_its_zone(page)
    page.goto(f"/c/{community.slug}/calendar/?month=2027-01")
    expect(page.get_by_role("table").get_by_role("link", name="4:00 PM CST Winter lab chat")).to_be_visible()
    journey_shot(page, "tz-visitor-month")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    page.get_by_label(EMAIL).fill("lopez@example.com")
    page.get_by_label("Username").fill("mlopez")
    page.get_by_label("Display name").fill("Mr. Lopez")
    page.get_by_label(PASSWORD).fill("Beaker-Bunsen-58")
    page.get_by_label("Password (again)").fill("Beaker-Bunsen-58")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    link = re.search(r"http://\S+(/accounts/confirm-email/\S+/)", mailoutbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    assert User.objects.get(email="lopez@example.com").time_zone == "America/Chicago"

    page.goto(chat.get_absolute_url())
    assert times_shown(page) == before
    assert_every_time_names_its_zone(page)
    journey_shot(page, "tz-member-activity")
    page.goto(f"/c/{community.slug}/calendar/?month=2027-01")
    expect(page.get_by_role("table").get_by_role("link", name="4:00 PM CST Winter lab chat")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    first_group = page.get_by_label("Time zone").locator("optgroup").first
    expect(first_group).to_have_attribute("label", "Common time zones")
    journey_shot(page, "tz-settings")
