from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self):
        from resources import panels  # noqa: F401 - registers its panels (core.panels)
