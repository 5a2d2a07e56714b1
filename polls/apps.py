from django.apps import AppConfig


class PollsConfig(AppConfig):
    name = "polls"

    def ready(self):
        from core import search
        from polls import panels  # noqa: F401 - registers its panels (core.panels)
        from polls.models import Poll
        from polls.selectors import search_section

        search.register_fts(Poll, ["question", "description"])
        search.register("polls", search_section, label="Polls", order=40)
