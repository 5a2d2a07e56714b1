"""Issue 15.5 in a real browser: a visitor gets the cached page with no token in it, and a
member's htmx requests carry the CSRF token from the cookie (static/js/site.js)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from discussions.models import Subscription
from tests.discussions.factories import PostFactory, ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("test-artifacts/screenshots")


def test_a_visitor_gets_the_cached_page_and_a_members_htmx_post_carries_the_cookie_token(page, login_as):
    community = CommunityFactory(name="Maker Teachers", slug="makers")
    thread = ThreadFactory(community=community, title="Cardboard circuits")
    PostFactory(thread=thread, body="Copper tape works.", body_html="<p>Copper tape works.</p>")
    url = thread.get_absolute_url()

    first = page.goto(url)
    assert first.headers.get("x-page-cache") == "miss"
    second = page.goto(url)
    assert second.headers.get("x-page-cache") == "hit"
    expect(page.get_by_role("heading", name="Cardboard circuits")).to_be_visible()
    html = page.content()
    assert "csrfmiddlewaretoken" not in html
    assert page.evaluate("document.body.getAttribute('hx-headers')") is None
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "security-visitor-cached-thread.png"), full_page=True)

    member = MembershipFactory(community=community, user=UserFactory(display_name="Mo Member")).user
    page.context.clear_cookies()
    login_as(page, member)
    response = page.goto(url)
    assert response.headers.get("x-page-cache") is None  # logged in: never cached
    assert any(cookie["name"] == "csrftoken" for cookie in page.context.cookies())
    follow_url = f"/c/makers/t/{thread.pk}/follow/"
    Subscription.objects.filter(thread=thread, user=member).delete()
    # A bare htmx POST: no form, so no csrfmiddlewaretoken field; only site.js's header can pass the check.
    status = page.evaluate(
        """(url) => new Promise((resolve) => {
            // Only this POST's answer: the page's own htmx requests end too (loaded panels, and the
            // reading position, which the thread page POSTs once it has loaded).
            document.body.addEventListener("htmx:afterRequest", function done(e) {
                if (e.detail.requestConfig.verb !== "post" || e.detail.requestConfig.path !== url) return;
                document.body.removeEventListener("htmx:afterRequest", done);
                resolve(e.detail.xhr.status);
            });
            htmx.ajax("POST", url, {values: {follow: "1"}, swap: "none", target: "body"});
        })""",
        follow_url,
    )
    assert status == 200  # the redirect back to the thread, followed
    assert Subscription.objects.filter(thread=thread, user=member).exists()
    page.get_by_label("Your reply", exact=True).fill("Conductive thread too.")
    page.get_by_role("button", name="Post reply").last.click()
    expect(page.get_by_text("Conductive thread too.")).to_be_visible()
    page.screenshot(path=str(SHOTS / "security-member-htmx-reply.png"), full_page=True)
