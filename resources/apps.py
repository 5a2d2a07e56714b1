from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self):
        from core import search
        from resources import panels  # noqa: F401 - registers its panels (core.panels)
        from resources.models import Resource
        from resources.selectors import search_section

        search.register_fts(Resource, ["title", "tags", "description"])
        search.register("resources", search_section, label="Resources", order=20)
