from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"
    verbose_name = "Live chats"

    def ready(self):
        from chats import panels, signals  # noqa: F401 - register the panels and receivers
