from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "Communities"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from communities import signals  # noqa: F401 - connects the receivers
        from cop_site.pagecache import content_changed

        post_save.connect(content_changed, dispatch_uid="pagecache.saved")
        post_delete.connect(content_changed, dispatch_uid="pagecache.deleted")
