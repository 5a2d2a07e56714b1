from django.apps import AppConfig


class DiscussionsConfig(AppConfig):
    name = "discussions"

    def ready(self):
        from core import search
        from discussions import panels  # noqa: F401 - registers its panels (core.panels)
        from discussions.models import Post, Thread
        from discussions.selectors import search as search_section

        search.register_fts(Thread, ["title", "body"])
        search.register_fts(Post, ["body"])
        search.register("discussions", search_section, label="Discussions", order=10)
