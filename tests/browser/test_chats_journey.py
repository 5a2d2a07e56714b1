"""A whole short chat in three browsers: the host prepares it, the server posts the prompts,
two members answer, reply and mark helpful, the host hides a message and ends the chat, and
the archive is published. Served by uvicorn (pages and sockets) with a Celery worker and
beat posting the prompts, all on the test database and Redis."""

import re
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from calendar_app.models import Activity
from chats.models import Chat, Message
from discussions.models import Thread
from tests.browser.fixtures import CHROMIUM_ARGS, SCREENSHOTS  # noqa: F401 - same browser setup
from tests.chats.servers import asgi_servers
from tests.chats.sockets import session_cookie
from tests.factories import CommunityFactory, MembershipFactory, UserFactory
from tests.processes import ROOT, child_env

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def label(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


@pytest.fixture
def site():
    """uvicorn, plus one Celery worker with its beat posting due prompts every second."""
    env = child_env(CHAT_PROMPT_TICK_SECONDS="1")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cop_site",
            "worker",
            "-B",
            "-s",
            f"/tmp/chats-beat-{uuid.uuid4().hex}",
            "--pool=solo",
            "-n",
            f"journey-{uuid.uuid4().hex[:8]}@%h",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with asgi_servers(1) as (url,):
            yield url
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@pytest.fixture
def people():
    community = CommunityFactory(
        name="Feedback Circle", slug="feedback-circle", visibility="members", join_policy="request"
    )
    host = UserFactory(display_name="Hana Host", username="hana")
    MembershipFactory(user=host, community=community, is_moderator=True)
    ana = UserFactory(display_name="Ana Alvarez", username="ana")
    ben = UserFactory(display_name="Ben Brooks", username="ben")
    for member in (ana, ben):
        MembershipFactory(user=member, community=community)
    start = timezone.now() + timedelta(days=1)
    activity = Activity.objects.create(
        community=community,
        title="Feedback that moves learning",
        kind=Activity.Kind.CHAT,
        start=start,
        end=start + timedelta(hours=1),
        span_start=start,
        span_end=start + timedelta(hours=1),
        organizer=host,
    )
    return community, activity, host, ana, ben


def open_as(browser, url, user, viewport, errors):
    context = browser.new_context(base_url=url, viewport=viewport, timezone_id="America/Chicago")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_cookie(user), "url": url}])
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return page


def shot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"chats-{name}.png"), full_page=True)


def message(page, text):
    return page.locator("#chat-stream li", has_text=text)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_whole_short_chat_in_three_browsers(browser, site, people, width):
    community, activity, host, ana, ben = people
    errors = []
    viewport = VIEWPORTS[width]
    host_page = open_as(browser, site, host, viewport, errors)
    ana_page = open_as(browser, site, ana, viewport, errors)
    ben_page = open_as(browser, site, ben, viewport, errors)
    room = f"/c/{community.slug}/calendar/{activity.pk}/chat/"

    # Prepare: the host writes the prompts from the activity page.
    host_page.goto(activity.get_absolute_url())
    host_page.get_by_role("link", name="Prepare the chat").click()
    host_page.get_by_label(label("Topic")).fill("Feedback that moves learning")
    host_page.get_by_label(label("Prompts, one per line")).fill(
        "What feedback helped you most as a learner?\nHow do your students act on feedback?"
    )
    host_page.get_by_label(label("Co-hosts")).fill("ben")
    host_page.get_by_role("button", name="Save the prompts").click()
    expect(
        host_page.get_by_role("heading", name="The plan (only hosts see the prompts before they are posted)")
    ).to_be_visible()
    chat = Chat.objects.get(activity=activity)
    assert [p.minute for p in chat.prompts.all()] == [0, 10]

    # Members see the topic and the number of prompts beforehand, from the activity page.
    ana_page.goto(activity.get_absolute_url())
    expect(ana_page.get_by_role("region", name="Chat room")).to_contain_text("2 prompts")
    ana_page.get_by_role("link", name="See the chat room").click()
    expect(ana_page.get_by_text("The room opens")).to_be_visible()
    expect(ana_page.get_by_text("What feedback helped you most")).to_have_count(0)

    # A short schedule: the chat starts in a moment, Q2 comes 10 seconds after Q1. Everyone
    # waits on the room's page, which opens by itself at the start.
    start = timezone.now() + timedelta(seconds=4)
    Activity.objects.filter(pk=activity.pk).update(start=start, span_start=start)
    chat.prompts.filter(number=2).update(offset=timedelta(seconds=10))
    for page in (host_page, ana_page, ben_page):
        page.goto(room)
        expect(page.get_by_text("The room opens")).to_be_visible()
    for page in (host_page, ana_page, ben_page):
        expect(page.locator("#chat-status")).to_have_text(
            "Live: new messages appear as they are posted.", timeout=30_000
        )
    # Q1 arrives without a reload, posted by the server.
    for page in (host_page, ana_page, ben_page):
        expect(message(page, "What feedback helped you most")).to_be_visible(timeout=20_000)

    # Ana answers; everyone sees it within a second (plus the browsers' own slowness here).
    ana_page.get_by_label("Your answer").fill("A teacher who wrote *one* question in my margin.")
    ana_page.get_by_role("button", name="Send").click()
    for page in (ana_page, ben_page, host_page):
        expect(message(page, "wrote one question in my margin")).to_contain_text("A1", timeout=3_000)
    expect(ana_page.get_by_label("Your answer")).to_have_value("")
    expect(host_page.locator("#chat-presence")).to_contain_text("Ana Alvarez")
    expect(host_page.locator("#chat-presence")).to_contain_text("Ben Brooks")

    # Ben replies to Ana and marks her answer helpful.
    ana_answer = message(ben_page, "wrote one question in my margin")
    ana_answer.get_by_role("link", name="Reply to Ana Alvarez").click()
    expect(ben_page.get_by_label("Your reply")).to_be_focused()
    ben_page.get_by_label("Your reply").fill("Did you answer it back?")
    ben_page.get_by_role("button", name="Send").click()
    expect(message(ana_page, "Did you answer it back?")).to_contain_text("replying to Ana Alvarez")
    ana_answer.get_by_role("button", name=re.compile("^Helpful")).click()
    expect(message(host_page, "wrote one question in my margin").locator(".chat-count")).to_have_text("1")

    # Something off topic; the host hides it and it is gone for everyone.
    ben_page.get_by_label("Your answer").fill("Buy my worksheets at example.com!!!")
    ben_page.get_by_role("button", name="Send").click()
    expect(message(ana_page, "Buy my worksheets")).to_be_visible()
    message(host_page, "Buy my worksheets").get_by_role("button", name="Hide Ben Brooks's message").click()
    for page in (ana_page, ben_page, host_page):
        expect(message(page, "Buy my worksheets")).to_have_count(0)

    # Members cannot see hosts' controls; Q2 arrives on its own and Ben answers it as A2.
    expect(message(ana_page, "wrote one question").get_by_role("button", name=re.compile("^Hide"))).to_be_hidden()
    bens_reply = message(ana_page, "Did you answer it back?")
    expect(bens_reply.get_by_role("button", name=re.compile("^Helpful"))).to_be_visible()
    expect(message(ben_page, "How do your students act on feedback?")).to_be_visible(timeout=20_000)
    expect(ben_page.get_by_label("Answering")).to_have_value("2")
    ben_page.get_by_label("Your answer").fill("They revise one paragraph before the next draft.")
    ben_page.get_by_role("button", name="Send").click()
    expect(message(ana_page, "They revise one paragraph")).to_contain_text("A2")
    expect(ana_page.locator("#chat-prompt-count")).to_have_text("2")
    own = message(ana_page, "wrote one question in my margin")
    expect(own.get_by_role("button", name=re.compile("^Helpful"))).to_have_count(0)
    shot(host_page, f"{width}-live-host")
    shot(ana_page, f"{width}-live-member")

    # The host ends the chat; the room says so live and becomes the archive.
    host_page.get_by_role("button", name="End the chat").click()
    expect(ana_page.locator("#chat-state")).to_have_text("Ended")
    ana_page.reload()
    expect(ana_page.get_by_role("heading", name="Chat archive: Feedback that moves learning")).to_be_visible()
    q1 = ana_page.get_by_role("region", name=re.compile("Q1"))
    expect(q1).to_contain_text("1 answer, 1 reply")
    expect(q1).to_contain_text("helpful to 1")
    expect(ana_page.get_by_text("Buy my worksheets")).to_have_count(0)
    shot(ana_page, f"{width}-archive")

    # The host publishes it as a lesson learned.
    expect(host_page.get_by_role("heading", name="Chat archive: Feedback that moves learning")).to_be_visible()
    host_page.get_by_label("As a discussion thread, of the kind").select_option(label="Lesson learned")
    host_page.get_by_role("button", name="Publish as a thread").click()
    expect(host_page.get_by_role("heading", name="From the chat: Feedback that moves learning")).to_be_visible()
    shot(host_page, f"{width}-published")
    thread = Thread.objects.get()
    assert thread.kind == Thread.Kind.LESSON
    assert Message.objects.filter(chat=chat, kind="prompt").count() == 2
    csp = [e for e in errors if "Content Security Policy" in e]
    assert not csp, csp
    for page in (host_page, ana_page, ben_page):
        page.context.close()
