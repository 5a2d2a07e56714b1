from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"

    def ready(self):
        from mentoring import panels  # noqa: F401 - registers its panels (core.panels)
