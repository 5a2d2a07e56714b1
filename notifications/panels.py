"""What notifications adds to pages of apps below it (core.panels)."""

from core.panels import panel
from notifications import services
from notifications.forms import PreferencesForm


@panel("settings_panel", order=10)
def preferences_panel(*, user):
    """The notification preferences form on the settings page: one query."""
    return {
        "template": "notifications/includes/preferences.html",
        "form": PreferencesForm(current=services.deliveries_for_all(user)),
    }
