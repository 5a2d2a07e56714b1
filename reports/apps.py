from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and records"

    def ready(self):
        from reports import panels  # noqa: F401 - registers its panels (core.panels)
