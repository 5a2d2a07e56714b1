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
