import re

import pytest
from playwright.sync_api import expect

from polls.models import Ballot, Poll
from tests.factories import CommunityFactory, MembershipFactory
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def switch_to(page, login_as, user):
    page.context.clear_cookies()
    login_as(page, user)


def test_scale_poll_from_creation_to_close(page, login_as):
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    ana = MembershipFactory(community=community, user__display_name="Ana").user
    ben = MembershipFactory(community=community, user__display_name="Ben").user

    login_as(page, moderator)
    page.goto(f"/c/{community.slug}/polls/")
    page.get_by_role("link", name="New poll").click()
    page.get_by_label(re.compile(r"^\s*Question")).fill("I feel ready to teach loops")
    page.get_by_role("radio", name="Agreement scale (1 to 5)").check()
    page.get_by_role("button", name="Create poll").click()
    expect(page.get_by_text("Your poll is ready.")).to_be_visible()
    expect(page.get_by_role("heading", name="I feel ready to teach loops")).to_be_visible()
    page.screenshot(path="/tmp/polls-created.png", full_page=True)
    poll_url = page.url

    switch_to(page, login_as, ana)
    page.goto(poll_url)
    page.get_by_role("radio", name="4 · Agree").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("status")).to_have_text("Your answer is saved.")
    expect(page.get_by_text("1 of 3 members answered")).to_be_visible()

    switch_to(page, login_as, ben)
    page.goto(poll_url)
    page.get_by_role("radio", name="2 · Disagree").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("2 of 3 members answered")).to_be_visible()
    expect(page.get_by_text("Average agreement: 3.0 out of 5.")).to_be_visible()
    # Ben changes his mind.
    page.get_by_role("radio", name="5 · Strongly agree").check()
    page.get_by_role("button", name="Change my answer").click()
    expect(page.get_by_text("Average agreement: 4.5 out of 5.")).to_be_visible()
    expect(page.get_by_role("progressbar", name=re.compile("5 · Strongly agree"))).to_have_attribute(
        "aria-valuenow", "50.0"
    )
    assert Ballot.objects.filter(poll__question="I feel ready to teach loops").count() == 2
    page.screenshot(path="/tmp/polls-results.png", full_page=True)

    switch_to(page, login_as, moderator)
    page.goto(poll_url)
    expect(page.get_by_role("rowheader", name="No district given")).to_be_visible()
    page.get_by_role("button", name="Close poll now").click()
    expect(page.get_by_text("The poll is closed.")).to_be_visible()

    switch_to(page, login_as, ana)
    page.goto(poll_url)
    expect(page.get_by_text("The poll is closed, so answers can no longer change.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("answer"))).to_have_count(0)
    assert Poll.objects.get().is_closed


def test_anonymous_poll_shows_a_moderator_no_voter(page, login_as):
    community = CommunityFactory(slug="anon-test")
    moderator = MembershipFactory(community=community, is_moderator=True).user
    voter = MembershipFactory(community=community, user__display_name="Quinn Quietly").user
    poll = PollFactory(
        community=community, question="How stressed are you?", is_anonymous=True, choices=["Calm", "Stressed"]
    )

    login_as(page, voter)
    page.goto(poll.get_absolute_url())
    expect(page.get_by_text("Anonymous answers are final")).to_be_visible()
    page.get_by_role("radio", name="Stressed").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Your answer is anonymous and final")).to_be_visible()

    switch_to(page, login_as, moderator)
    page.goto(poll.get_absolute_url())
    expect(page.get_by_text("1 of 2 members answered")).to_be_visible()
    expect(page.get_by_text("Quinn Quietly")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        csv_text = handle.read()
    assert "Stressed,1,100.0" in csv_text
    assert "Quinn" not in csv_text
    assert voter.username not in csv_text


def test_voting_without_javascript_at_phone_width(phone_page, login_as):
    community = CommunityFactory(slug="phone-test")
    member = MembershipFactory(community=community).user
    poll = PollFactory(
        community=community,
        question="Best time for the monthly chat?",
        choices=["Before school", "Lunch", "After school"],
    )
    phone_page.context.route("**/htmx.min.js", lambda route: route.abort())
    login_as(phone_page, member)
    phone_page.goto(f"/c/{community.slug}/polls/")
    phone_page.get_by_role("link", name="Best time for the monthly chat?").click()
    phone_page.get_by_role("radio", name="Lunch").check()
    phone_page.get_by_role("button", name="Send my answer").click()
    expect(phone_page.get_by_role("alert").filter(has_text="Your answer is saved.")).to_be_visible()
    expect(phone_page.get_by_text("1 of 1 member answered")).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"poll page scrolls sideways at phone width ({width}px)"
    phone_page.screenshot(path="/tmp/polls-phone.png", full_page=True)
    assert poll.ballots.count() == 1
