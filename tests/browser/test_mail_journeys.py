"""Journeys when email cannot go out: nothing is lost, the page says so, and "Send again" works."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from core.models import EmailDelivery
from tests.browser.fixtures import SCREENSHOTS
from tests.digests.smtp import SMTPServer
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"mail-{name}.png"), full_page=True)


@pytest.fixture
def smtp_down(settings):
    server = SMTPServer()  # not started: its port refuses connections
    server.use_in(settings)
    yield server
    server.stop()


def label(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_moderator_sends_again_an_invitation_that_could_not_be_delivered(open_page, login_as, smtp_down, width):
    community = CommunityFactory(name="Site Leaders Circle", slug="site-leaders-circle", visibility="hidden")
    moderator = MembershipFactory(community=community, is_moderator=True, user=UserFactory(display_name="Morgan Lee"))
    page = open_page(width)
    login_as(page, moderator.user)
    page.goto("/c/site-leaders-circle/manage/invitations/")
    page.get_by_label(label("Email address")).fill("new.principal@example.org")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("We are sending the invitation to new.principal@example.org.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("new.principal@example.org"))
    expect(row.get_by_text("Email not delivered")).to_be_visible()
    shot(page, f"invitation-not-delivered-{width}")

    smtp_down.start()
    row.get_by_role("button", name="Send again the invitation to new.principal@example.org").click()
    expect(page.get_by_text("We are sending the invitation to new.principal@example.org again.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("new.principal@example.org"))
    expect(row.get_by_text("Open", exact=True)).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("Send again"))).to_have_count(0)
    shot(page, f"invitation-sent-again-{width}")
    (received,) = smtp_down.handler.to("new.principal@example.org")
    assert received["Subject"] == "[CoP Forum] Morgan Lee invited you to join Site Leaders Circle"


def test_signing_up_while_email_is_down_still_makes_the_account(page, smtp_down):
    page.goto("/accounts/signup/")
    page.get_by_label(label("Email")).fill("new.teacher@example.org")
    page.get_by_label("Username").fill("newteacher")
    page.get_by_label(label("Password")).fill("Pencil-Sharpener-81")
    page.get_by_label("Password (again)").fill("Pencil-Sharpener-81")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    shot(page, "signup-while-smtp-down")
    assert User.objects.filter(email="new.teacher@example.org").exists()
    waiting = EmailDelivery.objects.get(to="new.teacher@example.org")
    assert waiting.status == "failed"
    assert waiting.next_attempt_at is not None  # the sweep sends it once SMTP is back
