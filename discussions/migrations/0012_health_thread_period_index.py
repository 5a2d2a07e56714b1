"""The health dashboard's index on threads (community, created_at) with the columns it reads.

Built with CREATE INDEX CONCURRENTLY on PostgreSQL, so writes to discussions_thread go on while it
builds (about a second for 100,000 threads); SQLite (the demo) gets a plain index.
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgreSQL(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


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
