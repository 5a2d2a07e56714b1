"""Personal access tokens: shown once, stored as a hash, scoped, revocable, expiring, rate limited."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from api import tokens
from api.models import AccessToken
from discussions.models import Thread
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def bearer(secret):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_is_stored_only_as_a_hash(member):
    token, secret = tokens.create_token(user=member, name="Dashboard", scope="read")
    row = AccessToken.objects.values().get(pk=token.pk)
    assert secret not in str(row)
    assert row["key_hash"] == tokens.hash_key(secret)
    assert len(row["key_hash"]) == 64
    assert secret.startswith(row["prefix"])


def test_settings_page_creates_a_token_shown_once_then_lists_it(client, member):
    client.force_login(member)
    response = client.post("/settings/tokens/", {"name": "Dashboard", "scope": "write", "expires": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.encode() in response.content
    page = client.get("/settings/")
    assert b"Dashboard" in page.content
    assert secret.encode() not in page.content
    token = AccessToken.objects.get(user=member)
    assert token.scope == "write"
    assert token.expires_at < timezone.now() + timedelta(days=31)
    assert bearer(secret).get("/api/v1/me/needs/").status_code == 200


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "scope": "read"},
        {"name": "x" * 81, "scope": "read"},
        {"name": "ok", "scope": "admin"},
        {"name": "ok", "scope": "read", "expires": "7"},
    ],
)
def test_bad_token_form_is_a_clear_400(client, member, data):
    client.force_login(member)
    response = client.post("/settings/tokens/", data)
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_revoked_token_stops_working_and_someone_elses_cannot_be_revoked(client, member):
    token, secret = tokens.create_token(user=member, name="Old", scope="read")
    assert bearer(secret).get("/api/v1/me/needs/").status_code == 200
    client.force_login(UserFactory())
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(member)
    assert client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    response = bearer(secret).get("/api/v1/me/needs/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_expired_and_made_up_tokens_are_401(member):
    _token, secret = tokens.create_token(user=member, name="Short", scope="read", expires_in_days=1)
    AccessToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(secret).get("/api/v1/me/needs/").status_code == 401
    assert bearer("cop_made-up").get("/api/v1/communities/").status_code == 401
    assert bearer("").get("/api/v1/communities/").status_code == 401


def test_read_token_cannot_write(community, member):
    _token, secret = tokens.create_token(user=member, name="Reader", scope="read")
    response = bearer(secret).post(
        f"/api/v1/communities/{community.slug}/threads/", {"title": "Hi", "body": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "only read" in response.json()["detail"]
    assert not Thread.objects.exists()


def test_last_used_is_recorded(member):
    token, secret = tokens.create_token(user=member, name="Dashboard", scope="read")
    assert token.last_used_at is None
    bearer(secret).get("/api/v1/communities/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_rate_limit_per_token_answers_429_with_retry_after(member, settings):
    settings.API_TOKEN_RATE_LIMIT = "3/m"
    _token, secret = tokens.create_token(user=member, name="Busy", scope="read")
    _other, other_secret = tokens.create_token(user=member, name="Calm", scope="read")
    client = bearer(secret)
    for _ in range(3):
        assert client.get("/api/v1/communities/").status_code == 200
    response = client.get("/api/v1/communities/")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert bearer(other_secret).get("/api/v1/communities/").status_code == 200


def test_session_auth_for_the_sites_own_javascript_needs_csrf(community, member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.get(f"/api/v1/communities/{community.slug}/threads/").status_code == 200
    response = client.post(
        f"/api/v1/communities/{community.slug}/threads/", {"title": "Hi", "body": "x"}, format="json"
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
