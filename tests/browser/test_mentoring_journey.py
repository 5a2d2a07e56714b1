import re

import pytest
from playwright.sync_api import expect

from mentoring.models import Message, Pairing
from tests.browser.fixtures import journey_shot
from tests.factories import CommunityFactory, FocusAreaFactory
from tests.mentoring.factories import member_of, mentor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page, login_as, user):
    page.context.clear_cookies()
    login_as(page, user)


def test_a_teacher_asks_picks_a_mentor_who_accepts_they_talk_and_both_see_a_check_in(page, login_as):
    community = CommunityFactory(name="Math K-5", slug="math-k5")
    fractions = FocusAreaFactory(community=community, name="Fractions", slug="fractions")
    riley = mentor(community, name="Riley Shaw", district="Riverside", focus_areas=[fractions], grade_bands=["k2"])
    mentor(community, name="Sam Other", district="Riverside", grade_bands=["9-12"], role="principal")
    jordan = member_of(community, name="Jordan Park", district="Lakeview")

    login_as(page, jordan)
    page.goto(f"/c/{community.slug}/")
    page.get_by_role("link", name="Mentoring", exact=True).click()
    page.get_by_role("link", name="Find a mentor").click()
    page.get_by_label("What you want to work on").fill("Teaching fractions with number lines")
    page.get_by_label("Fractions").check()
    page.get_by_label("Grade band").select_option(label="K-2")
    expect(page.get_by_label("A mentor from another district is welcome")).to_be_checked()
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_text("Pick a mentor from the suggestions below.")).to_be_visible()
    suggestions = page.get_by_role("region", name="Suggested mentors").get_by_role("listitem")
    expect(suggestions.first).to_contain_text("Riley Shaw")
    expect(suggestions.first).to_contain_text("both K-2, both work on Fractions, both teachers, Lakeview ↔ Riverside")
    journey_shot(page, "mentoring-suggestions")
    page.get_by_role("button", name="Ask Riley Shaw").click()
    expect(page.get_by_text("Waiting for Riley Shaw to answer.")).to_be_visible()

    switch_to(page, login_as, riley.user)
    page.goto(f"/c/{community.slug}/")
    needs = page.get_by_role("region", name="What needs you")
    needs.get_by_role("link", name="Jordan Park asks you to be their mentor", exact=True).click()
    page.get_by_label("How often you will check in").select_option(label="Every week")
    page.get_by_label("A note to your mentee (optional)").fill("Glad to help!")
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You are now Jordan Park's mentor.")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("Welcome! Start with **halves** on a number line.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".user-text strong")).to_have_text("halves")

    switch_to(page, login_as, jordan)
    page.goto("/")
    needs = page.get_by_role("region", name="What needs me")
    expect(needs.get_by_role("link", name="Check in with Riley Shaw", exact=True)).to_be_visible()
    journey_shot(page, "mentoring-mentee-home")
    needs.get_by_role("link", name="Check in with Riley Shaw", exact=True).click()
    expect(page.get_by_text("Start with halves on a number line.")).to_be_visible()
    page.get_by_role("textbox", name="Message").fill("Thank you! I'll try it on Monday.")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("I'll try it on Monday.")).to_be_visible()
    page.get_by_label("New goal").fill("Teach one number-line lesson")
    page.get_by_role("button", name="Add goal").click()
    expect(page.get_by_text("Teach one number-line lesson")).to_be_visible()
    journey_shot(page, "mentoring-pair")

    switch_to(page, login_as, riley.user)
    page.goto("/")
    expect(
        page.get_by_role("region", name="What needs me").get_by_role(
            "link", name="Check in with Jordan Park", exact=True
        )
    ).to_be_visible()
    journey_shot(page, "mentoring-mentor-home")
    pairing = Pairing.objects.get(mentor=riley.user)
    assert pairing.status == Pairing.Status.ACTIVE
    assert pairing.cadence_days == 7
    assert Message.objects.filter(pairing=pairing).count() == 2
    assert re.search("Lakeview ↔ Riverside", pairing.reasons)


def test_a_member_offers_to_mentor_and_a_leader_suggests_them_for_a_waiting_request(page, login_as):
    community = CommunityFactory(name="Science 6-8", slug="science")
    FocusAreaFactory(community=community, name="Labs", slug="labs")
    casey = member_of(community, name="Casey Kim", district="Riverside")
    waiting = member_of(community, name="Alex Moss", district="Lakeview")
    leader = member_of(community, name="Dana Lead", is_district_leader=True, district="Lakeview")

    login_as(page, casey)
    page.goto(f"/c/{community.slug}/mentoring/")
    page.get_by_role("link", name="Offer to mentor").click()
    page.get_by_label("Labs").check()
    page.get_by_label("6-8").check()
    page.get_by_label("Role").select_option(label="Instructional coach")
    page.get_by_label("Years of experience").fill("9")
    page.get_by_label("Availability").fill("Wednesdays after school")
    # The browser itself keeps 0 and 1,000 out (min/max); tests/mentoring covers the server's refusal.
    expect(page.get_by_label("How many mentees at once")).to_have_attribute("max", "10")
    page.get_by_label("How many mentees at once").fill("2")
    page.get_by_role("button", name="Save my mentor profile").click()
    expect(page.get_by_text("Your mentor profile is saved.")).to_be_visible()

    switch_to(page, login_as, waiting)
    page.goto(f"/c/{community.slug}/mentoring/ask/")
    page.get_by_label("What you want to work on").fill("Safer, calmer lab days")
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_role("button", name="Ask Casey Kim")).to_be_visible()

    switch_to(page, login_as, leader)
    page.goto(f"/c/{community.slug}/mentoring/")
    page.get_by_role("link", name="Leaders' mentoring page").click()
    expect(page.get_by_role("region", name="Requests waiting for a mentor")).to_contain_text("Alex Moss")
    expect(page.get_by_role("region", name="Mentors with free capacity")).to_contain_text("Casey Kim")
    journey_shot(page, "mentoring-leaders")
    page.get_by_label("Suggest a mentor").select_option(label="Casey Kim (0/2)")
    page.get_by_role("button", name="Suggest").click()
    expect(page.get_by_text("You suggested Casey Kim")).to_be_visible()
    expect(page.get_by_role("region", name="Requests waiting for a mentor")).to_contain_text("No request is waiting.")
    assert Pairing.objects.get(mentee=waiting).suggested_by == leader
