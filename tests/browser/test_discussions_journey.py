import re

import pytest
from playwright.sync_api import expect

from discussions.models import Post, Thread
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ask_reply_nest_accept_mention_and_search(page, login_as, live_server, mailoutbox):
    community = CommunityFactory(name="Computational Thinking", slug="ct")
    teacher = MembershipFactory(community=community, user=UserFactory(username="tess", display_name="Tess")).user
    peer = MembershipFactory(community=community, user=UserFactory(username="pat", display_name="Pat")).user
    third = MembershipFactory(community=community, user=UserFactory(username="kim", display_name="Kim")).user

    # A teacher asks a question.
    login_as(page, teacher)
    page.goto("/c/ct/t/")
    page.get_by_role("link", name="Start a thread").click()
    page.get_by_label("Title").fill("How do you teach loops to second graders?")
    page.get_by_label("What kind of post is this?").select_option("question")
    page.get_by_label("Your post").fill("My class loses focus. What *worked* for you?")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview em")).to_have_text("worked")
    page.screenshot(path="/tmp/discussions-new.png", full_page=True)
    page.get_by_role("button", name="Post", exact=True).click()
    expect(page.get_by_role("heading", name="How do you teach loops to second graders?")).to_be_visible()
    thread = Thread.objects.get()

    # A peer replies inline (htmx) and mentions the third teacher.
    page.context.clear_cookies()
    login_as(page, peer)
    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply", exact=True).fill("Try a dance routine with repeat blocks. @kim did this too.")
    page.get_by_role("button", name="Post reply").last.click()
    expect(page.get_by_text("Try a dance routine with repeat blocks.")).to_be_visible()
    reply = Post.objects.get()
    assert any(m.to == [third.email] for m in mailoutbox), "the mention sends an email"

    # Someone replies to that reply.
    page.context.clear_cookies()
    login_as(page, third)
    page.goto(thread.get_absolute_url())
    post = page.locator(f"#post-{reply.pk}")
    post.get_by_text("Reply", exact=True).click()
    post.get_by_label("Your reply to this post").fill("Yes! We used the hokey pokey.")
    post.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{reply.pk}").get_by_text("We used the hokey pokey.")).to_be_visible()
    post.get_by_role("button", name=re.compile("Mark as helpful")).click()
    expect(post.get_by_role("button", name=re.compile("Helpful \\(marked by you\\), 1"))).to_be_visible()
    page.reload()
    assert Post.objects.get(pk=reply.pk).helpful_count == 1

    # The asker marks the accepted answer; it shows at the top.
    page.context.clear_cookies()
    login_as(page, teacher)
    page.goto(thread.get_absolute_url())
    page.locator(f"#post-{reply.pk}").get_by_role("button", name="Accept as answer").first.click()
    expect(page.get_by_role("heading", name="Accepted answer")).to_be_visible()
    page.screenshot(path="/tmp/discussions-thread.png", full_page=True)

    # Search finds the thread by a word in a reply.
    page.get_by_label("Search discussions and resources").fill("hokey")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="How do you teach loops to second graders?")).to_be_visible()
    page.screenshot(path="/tmp/discussions-search.png", full_page=True)


def test_member_flags_a_post_and_moderator_hides_it(page, login_as, live_server):
    community = CommunityFactory(slug="ct")
    member = MembershipFactory(community=community).user
    moderator = MembershipFactory(community=community, is_moderator=True).user
    thread = ThreadFactory(community=community, title="Homework policies")
    post = PostFactory(thread=thread, body="You are all wrong", body_html="<p>You are all wrong</p>")

    login_as(page, member)
    page.goto(thread.get_absolute_url())
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Flag").click()
    page.get_by_label("Disrespectful or unkind").check()
    page.get_by_label("Tell the moderators more").fill("Unkind to colleagues")
    page.get_by_role("button", name="Send flag").click()
    expect(page.get_by_text("The moderators will take a look.")).to_be_visible()

    page.context.clear_cookies()
    login_as(page, moderator)
    page.goto("/c/ct/moderation/")
    expect(page.get_by_text("Unkind to colleagues")).to_be_visible()
    page.screenshot(path="/tmp/discussions-queue.png", full_page=True)
    page.get_by_role("button", name="Hide it").click()
    expect(page.get_by_text("No open flags.")).to_be_visible()
    page.get_by_role("link", name="Moderation log").click()
    expect(page.get_by_role("cell", name="Unkind to colleagues")).to_be_visible()

    page.context.clear_cookies()
    login_as(page, member)
    page.goto(thread.get_absolute_url())
    expect(page.get_by_text("Hidden by a moderator: Unkind to colleagues")).to_be_visible()
    expect(page.get_by_text("You are all wrong")).to_have_count(0)


def test_thread_page_works_at_phone_width(phone_page, login_as):
    community = CommunityFactory(slug="ct")
    member = MembershipFactory(community=community).user
    thread = ThreadFactory(community=community, title="Phone check")
    parent = None
    for depth in range(7):
        parent = PostFactory(
            thread=thread, parent=parent, body=f"Level {depth} reply", body_html=f"<p>Level {depth}</p>"
        )
    login_as(phone_page, member)
    phone_page.goto(thread.get_absolute_url())
    expect(phone_page.get_by_text("in reply to").first).to_be_visible()
    phone_page.screenshot(path="/tmp/discussions-phone.png", full_page=True)
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
