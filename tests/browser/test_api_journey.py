"""A member makes a read-only API token on the settings page, uses it, and revokes it.

(The API reference at /api/docs/ has its own journey: tests/browser/test_api_docs.py.)"""

import pytest
from playwright.sync_api import expect
from rest_framework.test import APIClient

from api.models import AccessToken
from tests.discussions.factories import ThreadFactory
from tests.factories import CommunityFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_creates_uses_and_revokes_a_token(page, login_as):
    community = CommunityFactory(name="Computational Thinking K-8", slug="ct-k8", visibility="members")
    member = MembershipFactory(community=community, user__display_name="Ana").user
    ThreadFactory(community=community, title="Loops with dance moves")
    login_as(page, member)
    page.goto("/settings/")
    page.get_by_label("Token name").fill("District dashboard")
    page.get_by_label("It can").select_option(label="Read only")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_role("heading", name="Your new access token")).to_be_visible()
    secret = page.get_by_label("Token “District dashboard” (read only)").input_value()
    assert secret.startswith("cop_")
    page.screenshot(path="/tmp/api-token-created.png", full_page=True)

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    threads = client.get("/api/v1/communities/ct-k8/threads/").json()["results"]
    assert [t["title"] for t in threads] == ["Loops with dance moves"]

    page.get_by_role("link", name="Back to your settings").click()
    expect(page.get_by_role("cell", name="District dashboard", exact=True)).to_be_visible()
    assert secret not in page.content()
    page.screenshot(path="/tmp/api-tokens-list.png", full_page=True)
    page.get_by_role("button", name="Revoke District dashboard").click()
    expect(page.get_by_text("The token “District dashboard” no longer works.")).to_be_visible()
    expect(page.get_by_role("cell", name="Revoked")).to_be_visible()
    assert client.get("/api/v1/communities/ct-k8/threads/").status_code == 401
    assert AccessToken.objects.get().revoked_at is not None
