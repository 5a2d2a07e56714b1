"""Refused inline actions: on any 4xx the server's message shows next to the control, and
whatever the person typed or picked is still there (issue 14, item 1)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calendar_app.models import RSVP
from communities.models import Membership
from communities.permissions import access_for
from discussions import services as discussions
from discussions.models import Post, Thread
from polls.models import Ballot, Poll
from resources.models import Resource
from tests.calendar_app.factories import ActivityFactory
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, FocusAreaFactory, MembershipFactory, UserFactory
from tests.polls.factories import PollFactory
from tests.resources.factories import ResourceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = "test-artifacts/screenshots"


@pytest.fixture
def people():
    community = CommunityFactory(name="Computational Thinking", slug="ct")
    teacher = MembershipFactory(community=community, user=UserFactory(display_name="Tess")).user
    moderator = MembershipFactory(community=community, is_moderator=True, user=UserFactory(display_name="Mo")).user
    return community, teacher, moderator


def _reply_box(page):
    return page.get_by_label("Your reply", exact=True)


def test_a_reply_to_a_thread_locked_meanwhile_says_so_and_keeps_the_text(page, login_as, people):
    community, teacher, moderator = people
    thread = ThreadFactory(community=community, title="Loops for second graders")
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    _reply_box(page).fill("My long, careful answer about repeat blocks.")

    # A moderator locks the thread while the teacher is still typing.
    discussions.moderate_thread(access=access_for(moderator, community), thread=thread, action="lock")
    page.get_by_role("button", name="Post reply").click()

    form = page.locator("#reply-form-thread")
    expect(form.get_by_role("alert")).to_have_text("This thread is locked: no new replies.")
    expect(_reply_box(page)).to_have_value("My long, careful answer about repeat blocks.")
    page.screenshot(path=f"{SHOTS}/refusal-locked-thread.png", full_page=True)
    assert not Post.objects.exists()


def test_a_reply_over_the_length_limit_shows_the_limit_and_keeps_the_text(page, login_as, people):
    community, teacher, _ = people
    thread = ThreadFactory(community=community)
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    box = _reply_box(page)
    # The box stops typing at the limit; text pasted by a script (or an old page) is caught by the server.
    box.evaluate("el => el.removeAttribute('maxlength')")
    text = "word " * 4001
    box.fill(text)
    page.get_by_role("button", name="Post reply").click()

    expect(page.locator("#reply-form-thread").get_by_role("alert")).to_contain_text(re.compile(r"the limit is 20,?000"))
    expect(box).to_have_value(text)
    assert not Post.objects.exists()


def test_a_rate_limited_reply_says_how_long_to_wait_and_keeps_the_text(page, login_as, people, settings):
    settings.POST_RATE_LIMIT = "1/m"
    community, teacher, _ = people
    thread = ThreadFactory(community=community)
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    _reply_box(page).fill("First thought.")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#replies-top").get_by_text("First thought.")).to_be_visible()
    expect(page.get_by_role("heading", name="1 reply", exact=True)).to_be_visible()
    expect(_reply_box(page)).to_have_value("")

    _reply_box(page).fill("A second thought, right away.")
    page.get_by_role("button", name="Post reply").click()
    alert = page.locator("#reply-form-thread").get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"posting very quickly\. Please wait \d+ seconds"))
    expect(_reply_box(page)).to_have_value("A second thought, right away.")
    page.screenshot(path=f"{SHOTS}/refusal-rate-limited.png", full_page=True)
    assert Post.objects.count() == 1


def test_a_refused_preview_shows_why_in_the_preview(page, login_as, people):
    community, teacher, _ = people
    thread = ThreadFactory(community=community)
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    # Removed from the community in another tab: the preview says so instead of doing nothing.
    Membership.objects.filter(user=teacher).delete()
    _reply_box(page).fill("Draft to preview")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#reply-preview-thread")).to_contain_text("Join")
    expect(_reply_box(page)).to_have_value("Draft to preview")


def test_helpful_on_a_reply_removed_meanwhile_says_so(page, login_as, people):
    community, teacher, _ = people
    thread = ThreadFactory(community=community)
    post = PostFactory(thread=thread)
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    Post.objects.filter(pk=post.pk).update(is_hidden=True)
    page.get_by_role("button", name=re.compile("Mark as helpful")).click()
    expect(page.locator(f"#helpful-{post.pk}").get_by_role("alert")).to_have_text("That reply was removed.")
    expect(page.get_by_role("button", name=re.compile("Mark as helpful"))).to_be_visible()


def test_an_answer_to_a_poll_closed_meanwhile_keeps_the_pick(page, login_as, people):
    community, teacher, _ = people
    poll = PollFactory(community=community, question="Which unit went best?", choices=["Loops", "Events"])
    login_as(page, teacher)
    page.goto(poll.get_absolute_url())
    page.get_by_label("Events").check()
    Poll.objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(f"#poll-{poll.pk}").get_by_role("alert")).to_contain_text("This poll is closed")
    assert not Ballot.objects.exists()


def test_an_answer_to_a_poll_from_someone_removed_meanwhile_keeps_the_text(page, login_as, people):
    community, teacher, _ = people
    poll = PollFactory(community=community, kind=Poll.Kind.TEXT, question="One word for this term?")
    login_as(page, teacher)
    page.goto(poll.get_absolute_url())
    page.get_by_label("Your answer").fill("Exhausting")
    Membership.objects.filter(user=teacher).delete()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.locator(f"#poll-{poll.pk}-form-refusal").get_by_role("alert")).to_contain_text("members")
    expect(page.get_by_label("Your answer")).to_have_value("Exhausting")


def test_an_rsvp_for_an_activity_deleted_meanwhile_says_so_and_keeps_the_choice(page, login_as, people):
    community, teacher, _ = people
    activity = ActivityFactory(community=community, title="Monthly chat")
    login_as(page, teacher)
    page.goto(activity.get_absolute_url())
    page.get_by_label("Maybe").check()
    activity.delete()
    page.get_by_role("button", name="Save my answer").click()
    expect(page.locator("#rsvp-form-refusal").get_by_role("alert")).to_contain_text("deleted or moved")
    expect(page.get_by_label("Maybe")).to_be_checked()
    assert not RSVP.objects.exists()


def test_follow_useful_and_save_say_why_they_were_refused(page, login_as, people):
    community, teacher, _ = people
    area = FocusAreaFactory(community=community, name="Unplugged")
    resource = ResourceFactory(community=community, title="Sorting network mat")
    login_as(page, teacher)

    page.goto(community.get_absolute_url())
    Membership.objects.filter(user=teacher).delete()
    page.get_by_role("button", name="Follow Unplugged").click()
    expect(page.locator(f"#follow-{area.pk}").get_by_role("alert")).to_contain_text("members")
    expect(page.get_by_role("button", name="Follow Unplugged")).to_be_visible()

    MembershipFactory(community=community, user=teacher)
    page.goto(resource.get_absolute_url())
    Resource.objects.filter(pk=resource.pk).update(status=Resource.Status.ARCHIVED)
    page.get_by_role("button", name=re.compile("Mark useful")).click()
    expect(page.locator(f"#useful-{resource.pk}").get_by_role("alert")).to_contain_text("deleted or moved")
    page.get_by_role("button", name="Save to my list").click()
    expect(page.locator(f"#saved-{resource.pk}").get_by_role("alert")).to_contain_text("deleted or moved")
    page.screenshot(path=f"{SHOTS}/refusal-resource-buttons.png", full_page=True)


def test_a_reply_after_a_stale_security_token_says_reload_and_keeps_the_text(page, login_as, people):
    community, teacher, _ = people
    thread = ThreadFactory(community=community)
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    # The page saves the reading position with a POST once loaded: let it finish before the token goes.
    page.wait_for_load_state("networkidle")
    _reply_box(page).fill("Typed before my session changed.")
    page.context.clear_cookies(name="csrftoken")
    page.get_by_role("button", name="Post reply").click()
    expect(page.locator("#reply-form-thread").get_by_role("alert")).to_contain_text("reload the page")
    expect(_reply_box(page)).to_have_value("Typed before my session changed.")
    assert Thread.objects.get().reply_count == 0
