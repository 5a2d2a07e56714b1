"""At 390 px what people came for comes first, nothing scrolls sideways (issue 14, item 10);
focus stays where the keyboard was after inline updates, and the ring is easy to see (item 11)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from calendar_app.models import RSVP
from discussions.models import Reaction
from tests.calendar_app.factories import ActivityFactory, ResponsibilityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "test-artifacts/screenshots"
PHONE_HEIGHT = 844


def _top(locator):
    return locator.bounding_box()["y"]


def _no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


@pytest.fixture
def community():
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8")
    for n in range(6):
        FocusAreaFactory(community=community, name=f"Focus area number {n}", description="A long description. " * 8)
    return community


def test_phone_activity_page_puts_the_rsvp_first(phone_page, login_as, community):
    member = MembershipFactory(community=community).user
    start = datetime.now(UTC).replace(microsecond=0, second=0) + timedelta(days=2)
    activity = ActivityFactory(
        community=community,
        title="Monthly chat",
        start=start,
        end=start + timedelta(hours=1),
        recurrence="FREQ=WEEKLY;COUNT=12",
        description="Bring one lesson idea. " * 30,
        description_html="<p>" + "Bring one lesson idea. " * 30 + "</p>",
    )
    for n in range(3):
        ResponsibilityFactory(activity=activity, task=f"prepares part {n}")
    login_as(phone_page, member)
    phone_page.goto(activity.get_absolute_url())
    save = phone_page.get_by_role("button", name="Save my answer")
    assert _top(save) + 40 < PHONE_HEIGHT, "the RSVP button is on the first screen"
    assert _top(save) < _top(phone_page.get_by_role("heading", name="Coming dates"))
    assert _top(save) < _top(phone_page.get_by_role("heading", name="Responsibilities"))
    _no_sideways_scroll(phone_page)
    phone_page.screenshot(path=f"{SHOTS}/phone-activity.png", full_page=True)


def test_phone_thread_list_shows_threads_before_filters(phone_page, login_as, community):
    member = MembershipFactory(community=community).user
    for n in range(5):
        ThreadFactory(community=community, title=f"Question number {n}")
    login_as(phone_page, member)
    phone_page.goto(f"/c/{community.slug}/t/")
    first = phone_page.get_by_role("link", name=re.compile("Question number"))
    expect(first.first).to_be_visible()
    assert _top(first.first) < PHONE_HEIGHT * 0.75
    expect(phone_page.get_by_label("Sort by")).to_be_hidden()
    phone_page.get_by_text("Sort and filter").click()
    expect(phone_page.get_by_label("Sort by")).to_be_visible()
    _no_sideways_scroll(phone_page)
    phone_page.screenshot(path=f"{SHOTS}/phone-thread-list.png", full_page=True)


def test_phone_community_tabs_wrap_and_join_is_near_the_top(phone_page, login_as, community):
    visitor = UserFactory()
    login_as(phone_page, visitor)
    phone_page.goto(community.get_absolute_url())
    tabs = phone_page.get_by_role("list", name="Community sections")
    for name in ("Polls", "Members"):
        box = tabs.get_by_role("link", name=name).bounding_box()
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390, f"{name} is off the side of the screen"
    join = phone_page.get_by_role("button", name="Join this community")
    assert _top(join) + 40 < PHONE_HEIGHT, f"Join sits at y={_top(join)}"
    _no_sideways_scroll(phone_page)
    phone_page.screenshot(path=f"{SHOTS}/phone-community-home.png", full_page=True)


def _contrast(rgb1, rgb2):
    def luminance(rgb):
        parts = []
        for c in rgb:
            c = c / 255
            parts.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    light, dark = sorted((luminance(rgb1), luminance(rgb2)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _rgb(css):
    return tuple(int(n) for n in re.findall(r"\d+", css)[:3])


def _ring(page):
    """The focused element's outline: (width in px, colour, the colour behind it)."""
    style = page.evaluate(
        """() => {
            const el = document.activeElement;
            const s = getComputedStyle(el);
            let bg = 'rgb(255, 255, 255)';
            for (let p = el.parentElement; p; p = p.parentElement) {
                const c = getComputedStyle(p).backgroundColor;
                if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
            }
            return {width: s.outlineWidth, style: s.outlineStyle, color: s.outlineColor, bg: bg, id: el.id};
        }"""
    )
    assert style["style"] != "none", "the focused control has no visible ring"
    return float(style["width"].rstrip("px")), _rgb(style["color"]), _rgb(style["bg"])


def test_helpful_keeps_focus_on_the_button_and_the_ring_is_visible(page, login_as, community):
    member = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    login_as(page, member)
    page.goto(thread.get_absolute_url())
    button = page.get_by_role("button", name=re.compile("Mark as helpful"))
    button.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"Helpful \(marked by you\), 1"))).to_be_visible()
    expect(page.locator(f"#helpful-{post.pk}-button")).to_be_focused()
    width, color, behind = _ring(page)
    assert width >= 2
    assert _contrast(color, behind) >= 3, f"ring {color} on {behind}"
    page.keyboard.press("Enter")  # the keyboard still works the replaced button: unmark
    expect(page.get_by_role("button", name=re.compile(r"Mark as helpful, 0 so far"))).to_be_visible()
    assert not Reaction.objects.exists()
    # htmx moves focus back once the swap settles, a moment after the new button shows.
    expect(page.locator(f"#helpful-{post.pk}-button")).to_be_focused()


def test_saving_an_rsvp_by_keyboard_keeps_focus_on_the_form(page, login_as, community):
    member = MembershipFactory(community=community).user
    activity = ActivityFactory(community=community, title="Site visit")
    login_as(page, member)
    page.goto(activity.get_absolute_url())
    page.get_by_label("Going", exact=True).focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "rsvp-submit"
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thanks, your answer is saved.")).to_be_visible()
    assert RSVP.objects.get().response == RSVP.Response.GOING
    expect(page.locator("#rsvp-submit")).to_be_focused()
    width, color, behind = _ring(page)
    assert width >= 2
    assert _contrast(color, behind) >= 3
    page.screenshot(path=f"{SHOTS}/focus-rsvp.png")


def test_the_focus_ring_shows_in_the_header_too(page, community):
    page.goto("/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # the site's name
    width, color, behind = _ring(page)
    assert width >= 2
    assert _contrast(color, behind) >= 3, f"ring {color} on {behind}"


def test_the_new_thread_page_starts_in_the_title(page, login_as, community):
    member = MembershipFactory(community=community).user
    login_as(page, member)
    page.goto(f"/c/{community.slug}/t/new/")
    assert page.evaluate("document.activeElement.name") == "title"
    page.keyboard.type("Typed straight away")
    expect(page.get_by_role("textbox", name=re.compile(r"^Title"))).to_have_value("Typed straight away")
