"""Nothing is lost by accident: deletes ask first, also without JavaScript (issue 14, item 12);
half-written posts come back as drafts, and @ offers the community's members (item 13)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from calendar_app.models import Activity, Responsibility
from discussions.models import Post, Thread
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "test-artifacts/screenshots"


@pytest.fixture
def community():
    return CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False, timezone_id="UTC")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _series(community, leader):
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=2)
    activity = ActivityFactory(
        community=community,
        title="Monthly chat",
        organizer=leader,
        start=start,
        end=start + timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=12",
    )
    for n in range(3):
        ResponsibilityFactory(activity=activity, task=f"prepares part {n}")
    return activity


def test_deleting_an_activity_asks_first_without_javascript(no_js_page, login_as, community):
    leader = MembershipFactory(community=community, is_district_leader=True).user
    activity = _series(community, leader)
    page = login_as(no_js_page, leader)
    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name="Delete activity…").click()
    expect(page.get_by_role("heading", name="Delete “Monthly chat”?")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Remove every date of this series \(every week, 12 times\)", re.I))
    ).to_be_visible()
    expect(page.get_by_text("Delete its 3 responsibilities of districts.")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/confirm-delete-activity.png", full_page=True)

    page.get_by_role("link", name="Cancel, keep it").click()
    expect(page.get_by_role("heading", name="Monthly chat")).to_be_visible()
    assert Activity.objects.filter(pk=activity.pk).exists()

    page.get_by_role("link", name="Delete activity…").click()
    page.get_by_role("button", name="Delete the activity").click()
    expect(page.get_by_text("“Monthly chat” is off the calendar.")).to_be_visible()
    assert not Activity.objects.exists()
    assert not Responsibility.objects.exists()


def test_removing_a_responsibility_and_deleting_a_reply_ask_first(page, login_as, community):
    leader = MembershipFactory(community=community, is_district_leader=True).user
    activity = _series(community, leader)
    login_as(page, leader)
    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name=re.compile("Remove… .*prepares part 1")).click()
    expect(page.get_by_role("heading", name=re.compile("Remove this responsibility"))).to_be_visible()
    expect(page.get_by_text(re.compile(": prepares part 1$"))).to_be_visible()
    page.get_by_role("button", name="Remove the responsibility").click()
    expect(page.get_by_text("Responsibility removed.")).to_be_visible()
    assert list(Responsibility.objects.values_list("task", flat=True).order_by("task")) == [
        "prepares part 0",
        "prepares part 2",
    ]

    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread, author=leader, body="My answer, kept until I say so.")
    page.goto(thread.get_absolute_url())
    page.get_by_role("link", name="Delete this reply…").click()
    expect(page.get_by_text("My answer, kept until I say so.")).to_be_visible()
    page.get_by_role("link", name="Cancel, keep it").click()
    assert not Post.objects.get(pk=post.pk).is_deleted
    page.get_by_role("link", name="Delete this reply…").click()
    page.get_by_role("button", name="Delete the reply").click()
    expect(page.get_by_text("Deleted by its author.")).to_be_visible()
    expect(page.get_by_role("heading", name="0 replies")).to_be_visible()
    assert Thread.objects.get().reply_count == 0


def test_a_half_written_thread_comes_back_and_goes_once_posted(page, login_as, community):
    member = MembershipFactory(community=community).user
    login_as(page, member)
    page.goto(f"/c/{community.slug}/t/new/")
    page.get_by_role("textbox", name=re.compile("^Title")).fill("Scratch on old tablets")
    page.get_by_role("textbox", name=re.compile("^Your post")).fill("Has anyone got it working offline?")
    page.goto(f"/c/{community.slug}/")  # walks away
    page.goto(f"/c/{community.slug}/t/new/")
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_value("Scratch on old tablets")
    expect(page.get_by_role("textbox", name=re.compile("^Your post"))).to_have_value(
        "Has anyone got it working offline?"
    )
    expect(page.get_by_role("status").filter(has_text="Your unsent draft is back.")).to_be_visible()
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="Scratch on old tablets")).to_be_visible()
    page.goto(f"/c/{community.slug}/t/new/")
    expect(page.get_by_role("textbox", name=re.compile("^Title"))).to_have_value("")


def test_a_half_written_reply_comes_back_and_goes_once_posted(page, login_as, community):
    member = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community)
    login_as(page, member)
    page.goto(thread.get_absolute_url())
    box = page.get_by_label("Your reply", exact=True)
    box.fill("Half a thought")
    page.reload()
    expect(page.get_by_label("Your reply", exact=True)).to_have_value("Half a thought")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#replies-top").get_by_text("Half a thought")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Your reply", exact=True)).to_have_value("")


def test_typing_at_offers_members_by_display_name(page, login_as, community):
    member = MembershipFactory(community=community, user=UserFactory(display_name="Tess Teacher")).user
    MembershipFactory(community=community, user=UserFactory(username="ada", display_name="Ada Lovelace"))
    UserFactory(username="adam", display_name="Adam Outsider")  # not a member: never offered
    thread = ThreadFactory(community=community)
    login_as(page, member)
    page.goto(thread.get_absolute_url())
    box = page.get_by_label("Your reply", exact=True)
    box.click()
    box.press_sequentially("Thanks @Ad")
    listbox = page.get_by_role("listbox", name="People to mention")
    expect(listbox).to_be_visible()
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_have_text("Ada Lovelace @ada")
    expect(box).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=f"{SHOTS}/mention-completion.png")
    page.keyboard.press("Enter")
    expect(box).to_have_value("Thanks @ada ")
    expect(listbox).to_be_hidden()
