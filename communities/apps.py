from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from communities import (
            panels,  # noqa: F401 - registers its panels (core.panels)
            signals,  # noqa: F401 - connects the receivers
        )
