import re

import pytest
from playwright.sync_api import expect

from calendar_app.models import RSVP, Activity
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def label(text):
    # crispy adds an asterisk to required fields' labels.
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


@pytest.fixture
def setting():
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    community.districts.add(riverside, lakeview)
    leader = UserFactory(display_name="Dana Whitfield", district=riverside, time_zone="America/Chicago")
    MembershipFactory(user=leader, community=community, is_district_leader=True)
    teacher = UserFactory(display_name="Amara Chen", district=lakeview, time_zone="Asia/Tokyo")
    MembershipFactory(user=teacher, community=community)
    return community, leader, teacher


def test_leader_schedules_monthly_chat_member_sees_responsibility_and_rsvps(page, login_as, setting):
    community, leader, teacher = setting
    login_as(page, leader)
    page.goto(f"/c/{community.slug}/calendar/?month=2027-01")
    page.get_by_role("link", name="Schedule an activity").click()
    page.get_by_label(label("Title")).fill("Monthly chat")
    page.get_by_label(label("Kind")).select_option(label="Online chat")
    expect(page.get_by_label(label("Time zone"))).to_have_value("America/Chicago")
    page.get_by_label(label("Starts")).fill("2027-01-12T16:00")
    page.get_by_label(label("Ends")).fill("2027-01-12T17:00")
    page.get_by_label("Online meeting link").fill("https://meet.example.org/ct")
    page.get_by_label("Repeats").select_option(label="Every month on the same weekday (for example the second Tuesday)")
    page.get_by_label("Number of times").fill("12")
    page.get_by_label("Responsible district").select_option(label="Lakeview SD")
    page.get_by_label("What that district does").fill("prepares the agenda")
    page.screenshot(path="/tmp/calendar_app-form.png", full_page=True)
    page.get_by_role("button", name="Save activity").click()
    expect(page.get_by_role("heading", name="Monthly chat")).to_be_visible()
    expect(page.get_by_role("region", name="Responsibilities")).to_contain_text("Lakeview SD prepares the agenda")
    activity = Activity.objects.get()
    assert activity.recurrence == "FREQ=MONTHLY;BYDAY=+2TU;COUNT=12"
    page.goto(f"/c/{community.slug}/calendar/plan/?from=2027-01")
    page.screenshot(path="/tmp/calendar_app-plan.png", full_page=True)

    page.context.clear_cookies()
    login_as(page, teacher)
    page.goto(f"/c/{community.slug}/calendar/?month=2027-01")
    mine = page.get_by_role("region", name="Your district's responsibilities")
    expect(mine).to_contain_text("Lakeview SD prepares the agenda")
    # 4pm in Chicago is 7am the next morning in Tokyo; in April (daylight saving in Chicago) it is 6am.
    grid = page.get_by_role("table")
    expect(grid.get_by_role("link", name="7:00 AM JST Monthly chat")).to_be_visible()
    page.screenshot(path="/tmp/calendar_app-month.png", full_page=True)
    for month in ("February", "March", "April"):
        page.get_by_role("link", name=re.compile("next month")).click()
        expect(page.get_by_role("heading", name=f"{month} 2027")).to_be_visible()
    expect(page.get_by_role("link", name="6:00 AM JST Monthly chat")).to_be_visible()
    page.goto(f"/c/{community.slug}/calendar/?month=2027-01")
    grid.get_by_role("link", name="7:00 AM JST Monthly chat").click()

    page.get_by_label("Going", exact=True).check()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.get_by_text("Thanks, your answer is saved.")).to_be_visible()
    expect(page.get_by_text("1 going")).to_be_visible()
    page.screenshot(path="/tmp/calendar_app-activity.png", full_page=True)
    answer = RSVP.objects.get()
    assert (answer.user, answer.response, answer.occurrence_start) == (teacher, "going", activity.start)


def test_month_is_a_list_at_phone_width(phone_page, login_as, setting):
    community, _leader, teacher = setting
    from datetime import UTC, datetime, timedelta

    Activity.objects.create(
        community=community,
        title="Site visit at Lakeview",
        kind="site_visit",
        start=datetime(2027, 2, 3, 16, tzinfo=UTC),
        end=datetime(2027, 2, 3, 19, tzinfo=UTC),
        span_start=datetime(2027, 2, 3, 16, tzinfo=UTC),
        span_end=datetime(2027, 2, 3, 19, tzinfo=UTC) + timedelta(0),
    )
    login_as(phone_page, teacher)
    phone_page.goto(f"/c/{community.slug}/calendar/?month=2027-02")
    expect(phone_page.get_by_role("table")).to_be_hidden()
    expect(
        phone_page.get_by_role("list", name="Activities in February 2027").get_by_role(
            "link", name="Site visit at Lakeview"
        )
    ).to_be_visible()
    phone_page.screenshot(path="/tmp/calendar_app-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
