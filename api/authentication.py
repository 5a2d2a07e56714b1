"""How the API knows who is asking: a personal access token (``Authorization: Bearer cop_…``) or the
site's own session (with CSRF, for the site's JavaScript)."""

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api import tokens
from core import ratelimit


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("That token is not valid.") from None
        token = tokens.token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("That token is not valid, has expired or was revoked.")
        ratelimit.hit(
            f"api-token:{token.pk}",
            settings.API_TOKEN_RATE_LIMIT,
            message="This token made too many requests. Wait {wait} seconds and try again.",
        )
        tokens.touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token from your settings page."}
