from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "polls"

    def ready(self):
        from polls import panels  # noqa: F401 - registers its panels (core.panels)
