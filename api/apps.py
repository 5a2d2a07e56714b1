from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from api import (
            panels,  # noqa: F401 - registers the settings page's tokens section (core.panels)
            receivers,  # noqa: F401 - connects webhooks to the lower apps' signals
        )
