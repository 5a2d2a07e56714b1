from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from notifications import (
            panels,  # noqa: F401 - registers its panels (core.panels)
            receivers,  # noqa: F401 - connects to the signals of communities
        )
