from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from communities import signals  # noqa: F401 - connects the receivers
