"""The Celery app. Broker and result backend come from REDIS_URL (settings)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_site.settings")

# Every task keeps itself in the database when the broker is unreachable (core/outbox.py).
app = Celery("cop_site", task_cls="core.outbox:ResilientTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
