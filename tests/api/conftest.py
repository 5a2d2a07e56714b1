import pytest
from rest_framework.test import APIClient

from api import tokens
from api.models import AccessToken


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def token_for():
    """``token_for(user, scope="write")`` -> the secret of a new token of ``user``."""

    def make(user, scope=AccessToken.Scope.WRITE, **kwargs):
        return tokens.create_token(user=user, name="tests", scope=scope, **kwargs)[1]

    return make


@pytest.fixture
def as_user(token_for):
    """A new API client that sends a new token of ``user`` (read and write unless ``scope`` says)."""

    def login(user, scope=AccessToken.Scope.WRITE):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(user, scope)}")
        return client

    return login
