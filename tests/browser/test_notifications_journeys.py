import re

import pytest
from playwright.sync_api import expect

from communities.models import Community
from discussions.models import Post
from tests.browser.fixtures import journey_shot
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_is_mentioned_and_finds_it_from_the_bell(page, login_as):
    community = CommunityFactory(name="Computational Thinking", slug="ct", visibility=Community.Visibility.MEMBERS)
    tess = MembershipFactory(community=community, user=UserFactory(username="tess", display_name="Tess")).user
    pat = MembershipFactory(community=community, user=UserFactory(username="pat", display_name="Pat")).user
    thread = ThreadFactory(community=community, author=pat, title="Loops with second graders")

    # Pat mentions Tess in a reply.
    login_as(page, pat)
    page.goto(thread.get_absolute_url())
    page.get_by_label("Your reply", exact=True).fill("@tess tried a dance routine for this, ask her.")
    page.get_by_role("button", name="Post reply").last.click()
    expect(page.get_by_text("tried a dance routine for this")).to_be_visible()
    reply = Post.objects.get()

    # Tess sees the bell's count on the home page and follows it.
    page.context.clear_cookies()
    login_as(page, tess)
    page.goto("/")
    bell = page.get_by_role("link", name="Notifications, 1 unread")
    expect(bell).to_be_visible()
    journey_shot(page, "notifications-bell")
    bell.click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    mention = page.get_by_role("link", name="Pat mentioned you in “Loops with second graders”")
    expect(mention).to_be_visible()
    journey_shot(page, "notifications-page")
    mention.click()
    expect(page).to_have_url(re.compile(rf"#post-{reply.pk}$"))
    expect(page.locator(f"#post-{reply.pk}")).to_contain_text("tried a dance routine")
    expect(page.get_by_role("link", name="Notifications", exact=True)).to_be_visible()  # read: no count left


def test_a_moderator_sees_a_new_flag_on_their_home_hides_the_post_and_the_author_sees_why(page, login_as):
    community = CommunityFactory(name="Science Leads", slug="sci", visibility=Community.Visibility.MEMBERS)
    moderator = MembershipFactory(
        community=community, is_moderator=True, user=UserFactory(username="mo", display_name="Mo")
    ).user
    ana = MembershipFactory(community=community, user=UserFactory(username="ana", display_name="Ana")).user
    ben = MembershipFactory(community=community, user=UserFactory(username="ben", display_name="Ben")).user
    thread = ThreadFactory(community=community, author=ana, title="Lab safety week")
    post = Post.objects.create(
        thread=thread, community=community, author=ben, body="Whatever, safety is boring.", body_html="<p>Whatever</p>"
    )

    # Ana flags Ben's reply as disrespectful.
    login_as(page, ana)
    page.goto(thread.get_absolute_url())
    page.locator(f"#post-{post.pk}").get_by_role("link", name="Flag").click()
    page.get_by_label("Disrespectful or unkind").check()
    page.get_by_role("button", name="Send flag").click()
    expect(page.get_by_text("The moderators will take a look.")).to_be_visible()

    # Mo sees it on the home page under "Needs moderation", and hides the reply with a reason.
    page.context.clear_cookies()
    login_as(page, moderator)
    page.goto("/")
    needs = page.get_by_role("region", name="Needs moderation")
    expect(needs).to_contain_text("Science Leads")
    journey_shot(page, "notifications-needs-moderation")
    needs.get_by_role("link", name="1 open flag").click()
    expect(page.get_by_role("heading", name="Moderation queue")).to_be_visible()
    page.get_by_label("Reason for hiding").fill("Please keep it kind to colleagues.")
    page.get_by_role("button", name="Hide it").click()
    post.refresh_from_db()
    assert post.is_hidden

    # Ben is told, from the bell, and reads why.
    page.context.clear_cookies()
    login_as(page, ben)
    page.goto("/")
    page.get_by_role("link", name="Notifications, 1 unread").click()
    expect(page.get_by_role("link", name="A moderator hid your post in “Lab safety week”")).to_be_visible()
    expect(page.get_by_text("Reason: Please keep it kind to colleagues.")).to_be_visible()
    journey_shot(page, "notifications-hidden-reason")


def test_a_teacher_sees_what_is_new_in_the_discussions_and_jumps_to_it(page, login_as):
    community = CommunityFactory(name="Early Literacy", slug="lit", visibility=Community.Visibility.MEMBERS)
    tess = MembershipFactory(community=community, user=UserFactory(username="tess", display_name="Tess")).user
    pat = MembershipFactory(community=community, user=UserFactory(username="pat", display_name="Pat")).user
    thread = ThreadFactory(community=community, author=pat, title="Decodable readers")
    Post.objects.create(thread=thread, community=community, author=pat, body="First", body_html="<p>First</p>")

    # Tess has never opened it: it is new. Opening it records her place (a POST once the page loads).
    login_as(page, tess)
    page.goto(f"/c/{community.slug}/t/")
    row = page.locator(".thread-row", has_text="Decodable readers")
    expect(row.get_by_text("New", exact=True)).to_be_visible()
    row.get_by_role("link", name="Decodable readers").click()
    expect(page.locator("#mark-read")).to_have_count(0)  # sent and swapped away under the strict CSP
    page.goto(f"/c/{community.slug}/t/")
    expect(row.get_by_text("New", exact=True)).to_have_count(0)

    # Two replies later the list counts them, and the thread page jumps to the first.
    newer = [
        Post.objects.create(thread=thread, community=community, author=pat, body=text, body_html=f"<p>{text}</p>")
        for text in ("Second thoughts", "Third idea")
    ]
    page.reload()
    expect(row.get_by_text("2 new replies")).to_be_visible()
    journey_shot(page, "discussions-unread")
    row.get_by_role("link", name="Decodable readers").click()
    page.get_by_role("link", name="Jump to first unread (2 new)").click()
    expect(page).to_have_url(re.compile(rf"#post-{newer[0].pk}$"))
