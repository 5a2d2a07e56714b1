"""A partial index on the open questions nobody has answered yet ("What needs me", the community home).

Built with CREATE INDEX CONCURRENTLY on PostgreSQL, so writes to discussions_thread go on while it
builds; SQLite (the demo) gets a plain partial index.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("discussions", "0012_health_thread_period_index"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="thread",
            index=models.Index(
                name="thread_unanswered",
                fields=["community", "focus_area", "-created_at"],
                condition=models.Q(
                    ("accepted_post__isnull", True),
                    ("is_hidden", False),
                    ("is_locked", False),
                    ("kind", "question"),
                    ("reply_count", 0),
                ),
            ),
        ),
    ]
