from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "digests"

    def ready(self):
        from digests import panels  # noqa: F401 - registers its panels (core.panels)
