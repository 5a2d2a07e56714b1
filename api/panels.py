"""The API's section of the settings page: personal access tokens."""

from api import tokens
from api.models import AccessToken
from core.panels import panel


@panel("settings_panel", order=50)
def access_tokens_panel(*, user):
    """The person's tokens and the form for a new one: one query."""
    return {
        "template": "api/includes/tokens_panel.html",
        "access_tokens": list(tokens.tokens_of(user=user)[:50]),
        "token_scopes": AccessToken.Scope.choices,
        "token_expiries": [("30", "30 days"), ("90", "90 days"), ("365", "A year"), ("never", "Never")],
    }
