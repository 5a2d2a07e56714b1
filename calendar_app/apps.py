from django.apps import AppConfig


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = "Calendar"

    def ready(self):
        from calendar_app import (
            panels,  # noqa: F401 - registers its panels (core.panels)
            signals,  # noqa: F401 - connects the receivers
        )
