"""A moderator previews, from the digest-note page, what a member gets from their community."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.fixtures import journey_shot
from tests.digests.world import build_world
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_moderator_previews_a_members_digest_from_the_note_page(page, login_as):
    world = build_world()
    moderator = MembershipFactory(
        community=world.ours, is_moderator=True, user=UserFactory(display_name="Morgan Lee")
    ).user
    login_as(page, moderator)
    page.goto(f"/c/{world.ours.slug}/digest-note/")
    preview = page.get_by_role("region", name="Preview a member's digest")
    preview.get_by_label(re.compile(r"^\s*Member's username or email address")).fill("nobody@example.com")
    preview.get_by_role("button", name="Show their digest").click()
    expect(page.get_by_text("No member of Computational Thinking has that username or email address.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^\s*Member's username or email address"))).to_have_value("nobody@example.com")

    page.get_by_label(re.compile(r"^\s*Member's username or email address")).fill("ben@example.com")
    page.get_by_label("Month").fill(world.period.key)
    page.get_by_role("button", name="Show their digest").click()
    expect(page.get_by_role("heading", name=f"Ben Brooks, {world.period.title}")).to_be_visible()
    expect(page.get_by_text("OURS note from the moderators.")).to_be_visible()
    expect(page.get_by_text("OURS poll: how is it going?")).to_be_visible()
    expect(page.get_by_text(re.compile("CIRCLE-ONLY"))).to_have_count(0)
    journey_shot(page, "digest-member-preview")
