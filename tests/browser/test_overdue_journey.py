"""Issue 17: a district leader sees an overdue duty on "What needs me" and on the Overdue list, and marks it done."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from calendar_app.models import Responsibility
from tests.browser.fixtures import journey_shot
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.factories import CommunityFactory, DistrictFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_district_leader_sees_an_overdue_duty_and_marks_it_done(page, login_as):
    riverside, lakeview = DistrictFactory(name="Riverside USD"), DistrictFactory(name="Lakeview SD")
    community = CommunityFactory(name="Computational Thinking K-8")
    community.districts.add(riverside, lakeview)
    leader = UserFactory(display_name="Dana Whitfield", time_zone="America/Chicago", district=riverside)
    leader.date_joined = datetime.now(UTC) - timedelta(days=120)
    leader.save()
    MembershipFactory(
        user=leader, community=community, is_district_leader=True, district=riverside, district_confirmed=True
    )
    meeting = ActivityFactory(
        community=community, title="February planning meeting", start=datetime.now(UTC) + timedelta(days=2)
    )
    late = datetime.now(UTC).date() - timedelta(days=4)
    duty = ResponsibilityFactory(activity=meeting, district=riverside, task="prepares the agenda", due_date=late)
    ResponsibilityFactory(activity=meeting, district=lakeview, task="brings the snacks", due_date=late)
    headline = "Riverside USD prepares the agenda for February planning meeting"

    login_as(page, leader)
    page.goto("/")
    needs = page.get_by_role("region", name="What needs me")
    overdue = needs.get_by_role("region", name="Overdue")
    expect(overdue.get_by_role("link", name=headline, exact=True)).to_be_visible()
    expect(overdue.locator(".badge", has_text="Overdue")).to_be_visible()  # the badge, in words
    expect(needs.get_by_text("Dates and times in your time zone, America/Chicago.")).to_be_visible()
    journey_shot(page, "overdue-what-needs-me")

    page.goto("/calendar/")
    page.get_by_role("link", name="Overdue in the communities you lead").click()
    expect(page.get_by_role("heading", name="Overdue", level=1)).to_be_visible()
    riverside_group = page.get_by_role("region", name="Riverside USD 1 overdue")
    expect(riverside_group.get_by_role("link", name=headline, exact=True)).to_be_visible()
    lakeview_group = page.get_by_role("region", name="Lakeview SD 1 overdue")
    expect(lakeview_group.get_by_text("Lakeview SD brings the snacks for February planning meeting")).to_be_visible()
    # Another district's duty: a district leader of Riverside may not mark it done.
    expect(lakeview_group.get_by_role("button")).to_have_count(0)
    journey_shot(page, "overdue-list")

    riverside_group.get_by_role("button", name=f"Mark done: {headline}").click()
    expect(page.get_by_text("Marked done. Thank you!")).to_be_visible()
    expect(page.get_by_role("link", name=headline, exact=True)).to_have_count(0)
    journey_shot(page, "overdue-list-after-done")
    duty.refresh_from_db()
    assert duty.status == Responsibility.Status.DONE

    page.goto("/")
    expect(page.get_by_role("region", name="What needs me").get_by_role("link", name=headline)).to_have_count(0)
