from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    """Shared library code every app may use; it imports no app of the project."""

    name = "core"
    verbose_name = "Core"

    def ready(self):
        from anymail.signals import tracking
        from celery.signals import worker_ready

        from core import checks, signals  # noqa: F401 - checks register themselves

        post_migrate.connect(signals.sync_site, sender=self, dispatch_uid="core.sync_site")
        worker_ready.connect(signals.send_due_emails_on_start, dispatch_uid="core.send_due_emails_on_start")
        connection_created.connect(signals.keep_more_prepared, dispatch_uid="core.keep_more_prepared")
        tracking.connect(signals.record_tracking_event, dispatch_uid="core.record_tracking_event")

        from core.search import ensure_sqlite_fts

        # After every migrate on SQLite: the FTS5 search tables and their triggers (core/search.py).
        post_migrate.connect(ensure_sqlite_fts, dispatch_uid="core.search.ensure_sqlite_fts")
