from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self):
        from discussions import panels  # noqa: F401 - registers its panels (core.panels)
