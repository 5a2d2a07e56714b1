from django.apps import AppConfig


class CalendarAppConfig(AppConfig):
    name = "calendar_app"
    verbose_name = "Calendar"

    def ready(self):
        from calendar_app import (
            panels,  # noqa: F401 - registers its panels (core.panels)
            signals,  # noqa: F401 - connects the receivers
        )
        from calendar_app.models import Activity
        from calendar_app.selectors import search_section
        from core import search

        search.register_fts(Activity, ["title", "description", "location"])
        search.register("activities", search_section, label="Activities", order=30)
