import re

import pytest
from playwright.sync_api import expect

from accounts.models import User

# crispy marks required fields with an asterisk, which is part of the label.
EMAIL = re.compile(r"^\s*Email\s*\*?\s*$")
PASSWORD = re.compile(r"^\s*Password\s*\*?\s*$")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_up_confirm_log_in_edit_settings_and_log_out(page, live_server, mailoutbox, settings):
    settings.SITE_URL = live_server.url  # the confirmation link points to SITE_URL: here, the live server
    page.goto("/")
    page.get_by_role("link", name="Sign up").first.click()
    page.get_by_label(EMAIL).fill("rivera@example.com")
    page.get_by_label("Username").fill("mrivera")
    page.get_by_label("Display name").fill("Ms. Rivera")
    page.get_by_label(PASSWORD).fill("Chalkboard-Eraser-73")
    page.get_by_label("Password (again)").fill("Chalkboard-Eraser-73")
    page.get_by_role("button", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()

    assert len(mailoutbox) == 1
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    # The first login is no return: no "Welcome back".
    expect(page.get_by_role("heading", name="Welcome, Ms. Rivera")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Log in").click()
    page.get_by_label(EMAIL).fill("rivera@example.com")
    page.get_by_label(PASSWORD).fill("Chalkboard-Eraser-73")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", name="Welcome, Ms. Rivera")).to_be_visible()

    nav.get_by_role("link", name="Settings").click()
    page.get_by_label("Time zone").select_option("America/Denver")
    page.get_by_label("Digest email").select_option("weekly")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    user = User.objects.get(email="rivera@example.com")
    assert (user.time_zone, user.digest_frequency) == ("America/Denver", "weekly")

    page.get_by_role("button", name="Log out").click()
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    page.goto("/settings/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_settings_page_works_at_phone_width(phone_page, login_as, user):
    login_as(phone_page, user)
    phone_page.goto("/settings/")
    expect(phone_page.get_by_role("heading", name="Your settings")).to_be_visible()
    # The navigation collapses behind a toggle with an accessible name.
    toggle = phone_page.get_by_role("button", name="Toggle navigation")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(phone_page.get_by_role("link", name="Communities")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
