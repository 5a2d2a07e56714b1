from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Shared library code every app may use; it imports no app of the project."""

    name = "core"
    verbose_name = "Core"
