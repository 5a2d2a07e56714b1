"""The health dashboard's index on threads (community, created_at) with the columns it reads.

Built with CREATE INDEX CONCURRENTLY on PostgreSQL, so writes to discussions_thread go on while it
builds (about a second for 100,000 threads); SQLite (the demo) gets a plain index.
"""

from django.db import migrations, models

from core.migration_operations import AddIndexConcurrentlyOnPostgreSQL


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("discussions", "0011_merge_leaders_notify"),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgreSQL(
            model_name="thread",
            index=models.Index(
                fields=["community", "created_at"],
                include=["id", "author", "kind", "focus_area", "is_hidden", "accepted_post"],
                name="thread_community_period",
            ),
        ),
    ]
