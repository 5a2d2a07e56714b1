"""Issue 20, item 4: a member opens their community's front page and acts on what needs them, at desktop
and at phone width (390 px). axe (both schemes) and the Nu checker look at every page the tabs visit."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from calendar_app.models import Activity
from mentoring.models import Pairing
from tests.browser.fixtures import journey_shot
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.chats.factories import ChatFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, DistrictFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.mentoring.factories import mentor, mentor_request
from tests.polls.factories import PollFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADLINE = "Riverside USD prepares the agenda for January planning meeting"


def _front_page():
    now = datetime.now(UTC).replace(microsecond=0)
    riverside = DistrictFactory(name="Riverside USD")
    community = CommunityFactory(
        name="Computational Thinking K-8", tagline="Unplugged, block-based and beyond",
        domain="Teaching computational thinking across K-8", cadence="A chat and a webinar every month",
    )  # fmt: skip
    dana = UserFactory(display_name="Dana Whitfield", time_zone="America/Chicago", district=riverside)
    dana.date_joined = now - timedelta(days=120)
    dana.save()
    MembershipFactory(user=dana, community=community)
    asker = MembershipFactory(community=community, user__display_name="Priya Raman").user
    loops = FocusAreaFactory(community=community, name="Loops and patterns")
    loops.followers.add(dana)
    meeting = ActivityFactory(
        community=community, kind=Activity.Kind.MEETING, title="January planning meeting",
        start=now - timedelta(days=6), end=now - timedelta(days=6) + timedelta(hours=1),
    )  # fmt: skip
    ResponsibilityFactory(activity=meeting, district=riverside, task="prepares the agenda",
                          due_date=(now - timedelta(days=4)).date())  # fmt: skip
    webinar = ActivityFactory(
        community=community, kind=Activity.Kind.WEBINAR, title="Debugging with second graders",
        start=now + timedelta(days=5), end=now + timedelta(days=5, hours=1),
    )  # fmt: skip
    ResponsibilityFactory(activity=webinar, district=riverside, task="hosts the breakout rooms",
                          due_date=(now + timedelta(days=5)).date())  # fmt: skip
    ThreadFactory(community=community, focus_area=loops, author=asker, title="A loop game for a rainy recess?")
    PollFactory(community=community, question="How confident do you feel teaching loops?")
    mentee = MembershipFactory(community=community, user__display_name="Jordan Park").user
    profile = mentor(community, user=dana)
    Pairing.objects.create(
        community=community, request=mentor_request(community, mentee), mentor=dana, mentee=mentee,
        profile=profile, status=Pairing.Status.ASKED,
    )  # fmt: skip
    own = ThreadFactory(community=community, author=dana, title="Grading pair programming fairly",
                        created_at=now - timedelta(days=6))  # fmt: skip
    PostFactory(thread=own, author=asker, body="A rubric for both roles, swapped every ten minutes.")
    chat = ActivityFactory(
        community=community, kind=Activity.Kind.CHAT, title="January #CTchat",
        start=now + timedelta(days=45), end=now + timedelta(days=45, hours=1),
    )  # fmt: skip
    ChatFactory(activity=chat, topic="Feedback that moves learning")
    return community, dana


def _check_the_front_page(page, community, width):
    page.goto(f"/c/{community.slug}/")
    needs = page.get_by_role("region", name="What needs you")
    expect(needs).to_be_visible()
    first = needs.get_by_role("listitem").first
    expect(first).to_contain_text(HEADLINE)
    expect(first.locator(".badge", has_text="Overdue")).to_be_visible()  # in words, not colour alone
    expect(needs.get_by_text("Dates and times in your time zone, America/Chicago.")).to_be_visible()
    expect(needs.get_by_role("link", name="Answer: A loop game for a rainy recess?")).to_be_visible()
    expect(needs.get_by_role("link", name="RSVP: Debugging with second graders")).to_be_visible()
    expect(needs.get_by_role("link", name="Answer: How confident do you feel teaching loops?")).to_be_visible()
    expect(needs.get_by_role("link", name="Answer: Jordan Park asks you to be their mentor")).to_be_visible()
    expect(needs.get_by_role("link", name="Pick the answer: Grading pair programming fairly")).to_be_visible()
    chat = needs.locator(".needs-chat")
    expect(chat).to_contain_text("Feedback that moves learning")
    expect(chat).to_contain_text("CST")  # the start in Dana's zone, the zone named
    # The poll is listed once on the page: the polls panel is folded into "What needs you".
    expect(page.get_by_text("How confident do you feel teaching loops?")).to_have_count(1)
    # What needs her comes before the membership box and the charter, on the first screen.
    needs_box = needs.bounding_box()
    assert needs_box["y"] < page.get_by_role("heading", name="Membership").bounding_box()["y"]
    assert needs_box["y"] < page.get_by_role("heading", name="About").bounding_box()["y"]
    assert first.bounding_box()["y"] + 40 < page.viewport_size["height"]
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"scrolls sideways by {overflow}px at {width}"
    journey_shot(page, f"needs-you-{width}")
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(400)  # buttons fade to their new colours (Bootstrap's .15s transition)
    journey_shot(page, f"needs-you-{width}-dark")
    page.emulate_media(color_scheme="light")
    first.get_by_role("link", name=f"See what to do: {HEADLINE}").click()
    expect(page.get_by_role("heading", name="January planning meeting")).to_be_visible()
    expect(page.get_by_text("prepares the agenda").first).to_be_visible()


def test_a_member_sees_the_overdue_duty_first_and_follows_it_at_desktop_and_phone_width(open_page, login_as):
    community, dana = _front_page()
    for width in ("desktop", "phone"):
        page = open_page(width, timezone_id="America/Chicago")
        login_as(page, dana)
        _check_the_front_page(page, community, width)
