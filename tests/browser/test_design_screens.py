"""The main pages in the design (issue 20): at desktop and phone width, light and dark, on the demo data.

Each page is photographed in both colour schemes at both widths, into
test-artifacts/screenshots/design/<page>-<width>-<scheme>.png (kept after the run, to look at).
Every document shown here goes through axe in both schemes at that tab's width (audit.py), so
these main pages are checked at both widths and in both schemes; other browser tests check
both schemes at the width they use. At phone width no page scrolls sideways and every
button, field and link outside running text is at least 44 px tall.
"""

import pytest
from django.core.management import call_command

from accounts.models import User
from calendar_app.models import Activity
from communities.models import Community
from discussions.models import Thread
from polls.models import Poll
from resources.models import Resource
from tests.browser.fixtures import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = SCREENSHOTS / "design"
# Controls smaller than 44 px on a phone, as {page: [description]}, read in the page itself.
_SMALL_TARGETS = """() => {
  const small = [];
  const inText = el => el.tagName === "A" && el.closest("p, li, dd, td, .prose, .small, figcaption, label") &&
    !el.classList.contains("btn") && !el.classList.contains("nav-link") && !el.classList.contains("page-link");
  for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || inText(el)) continue;
    if (el.closest(".visually-hidden, .visually-hidden-focusable, template, .prose")) continue;
    // A check box or radio button is tapped through its whole row, label included.
    const row = el.matches("[type=checkbox], [type=radio]") && el.closest(".form-check, label");
    if (row && row.getBoundingClientRect().height >= 43.5) continue;
    // A card's title link covers the whole card (.stretched-link).
    if (el.classList.contains("stretched-link")) continue;
    const name = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40);
    if (box.height < 43.5) small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.height)}px`);
  }
  return small;
}"""


def _pages():
    community = Community.objects.get(slug="computational-thinking-k8")
    c = f"/c/{community.slug}"
    thread = Thread.objects.filter(community=community).order_by("-reply_count", "pk").first()
    resource = Resource.objects.filter(community=community, status__in=Resource.VISIBLE_STATUSES).order_by("pk").first()
    activity = Activity.objects.filter(community=community).order_by("pk").first()
    poll = Poll.objects.filter(community=community).order_by("pk").first()
    return {
        "home": "/",
        "directory": "/c/",
        "community": f"{c}/",
        "threads": f"{c}/t/",
        "thread": thread.get_absolute_url(),
        "new-thread": f"{c}/t/new/",
        "library": f"{c}/resources/",
        "resource": resource.get_absolute_url(),
        "calendar": f"{c}/calendar/?month={activity.start:%Y-%m}",
        "activity": activity.get_absolute_url(),
        "polls": f"{c}/polls/",
        "poll": poll.get_absolute_url(),
        "members": f"{c}/members/",
        "settings": "/settings/",
        "notifications": "/notifications/",
        "manage": f"{c}/manage/",
        "health": f"{c}/manage/health/",
        "style": "/style/",
    }


def test_the_main_pages_at_both_widths_in_both_schemes(open_page, login_as):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115 - discard the printed logins
    pages = _pages()
    staff = User.objects.get(username="staff")
    moderator = User.objects.get(username="moderator")
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems = []
    for width in ("desktop", "phone"):
        tab = open_page(width)
        for name, url in pages.items():
            login_as(tab, staff if name == "style" else moderator)
            tab.goto(url)
            for scheme in ("light", "dark"):
                tab.emulate_media(color_scheme=scheme)
                tab.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
            tab.emulate_media(color_scheme="light")
            if width == "phone":
                overflow = tab.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 0:
                    problems.append(f"{name}: scrolls sideways by {overflow}px at 390px")
                problems += [f"{name}: {small}" for small in tab.evaluate(_SMALL_TARGETS)]
            tab.context.clear_cookies()
    assert not problems, "\n".join(problems)
