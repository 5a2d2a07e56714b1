import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from digests.models import CommunityNote
from digests.periods import current_period
from digests.tasks import start_monthly_digest
from tests.digests.factories import CommunityNoteFactory
from tests.digests.world import build_world
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_unsubscribes_from_the_link_in_her_email_and_turns_it_back_on(
    page, live_server, login_as, mailoutbox, settings
):
    settings.SITE_URL = live_server.url
    community = CommunityFactory(name="Math Coaches")
    CommunityNoteFactory(community=community, period=current_period().key, body="Our chat is on the 12th.")
    member = MembershipFactory(community=community, user=UserFactory(email="rivera@example.com")).user
    start_monthly_digest()
    (message,) = mailoutbox
    link = re.search(r"Unsubscribe: (\S+)", message.body)[1]
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", name="Unsubscribe from the digest")).to_be_visible()
    expect(page.get_by_text("rivera@example.com")).to_be_visible()
    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    page.screenshot(path="/tmp/digests-unsubscribed.png", full_page=True)
    assert User.objects.get(pk=member.pk).digest_frequency == "off"

    login_as(page, member)
    page.get_by_role("link", name="your settings").click()
    expect(page.get_by_label("Digest email")).to_have_value("off")
    page.get_by_label("Digest email").select_option("monthly")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    assert User.objects.get(pk=member.pk).digest_frequency == "monthly"


def test_a_tampered_link_shows_a_clear_page(page, user):
    page.goto("/digests/unsubscribe/not-a-real-token/")
    expect(page.get_by_role("heading", name="We could not use this unsubscribe link")).to_be_visible()
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()


def test_a_moderator_previews_and_saves_the_note_for_the_next_digest(page, login_as):
    community = CommunityFactory(name="Science Leads", slug="science-leads")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    login_as(page, moderator)
    page.goto("/c/science-leads/digest-note/")
    expect(page.get_by_role("heading", name=re.compile(r"Note for the .* digest"))).to_be_visible()
    page.get_by_label("Note from the moderators").fill("Thank you all! The **lab walk** is next week.")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".digest-note-preview strong")).to_have_text("lab walk")
    assert not CommunityNote.objects.exists()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text(re.compile(r"Your note for the .* digest is saved"))).to_be_visible()
    page.screenshot(path="/tmp/digests-note.png", full_page=True)
    assert CommunityNote.objects.get(community=community).body.startswith("Thank you all!")


def test_what_needs_me_comes_first_on_the_home_page_at_phone_width(phone_page, login_as):
    world = build_world()
    login_as(phone_page, world.ana)
    phone_page.goto("/")
    section = phone_page.get_by_role("region", name="What needs me")
    expect(section.get_by_role("link", name="OURS poll: how is it going?", exact=True)).to_be_visible()
    expect(section.get_by_role("link", name="Answer: OURS poll: how is it going?")).to_be_visible()
    first_h2 = phone_page.locator("main h2").first
    expect(first_h2).to_have_text("What needs me")
    phone_page.screenshot(path="/tmp/digests-home-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"


def test_staff_preview_a_members_digest(page, login_as):
    world = build_world()
    login_as(page, UserFactory(is_staff=True))
    page.goto("/digests/preview/")
    page.get_by_label("Member's email address").fill("ana@example.com")
    page.get_by_label("Period").fill(world.period.key)
    page.get_by_role("button", name="Show digest").click()
    expect(page.get_by_text("OURS note from the moderators.", exact=True)).to_be_visible()
    expect(page.get_by_text(f"[CoP Forum] Your {world.period.title} digest")).to_be_visible()
    page.screenshot(path="/tmp/digests-preview.png", full_page=True)
