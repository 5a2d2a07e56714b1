"""Site search over activities on PostgreSQL: a trigger fills search_vector, a GIN index serves it.

On SQLite the column stays NULL; core/search.py keeps an FTS5 table in sync instead.
"""

import django.contrib.postgres.search
from django.db import migrations, models

VECTOR = """
    setweight(to_tsvector('english', coalesce({row}title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce({row}description, '')), 'B') ||
    setweight(to_tsvector('english', coalesce({row}location, '')), 'C')
"""

FORWARD = f"""
CREATE FUNCTION calendar_app_activity_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := {VECTOR.format(row="NEW.")};
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER calendar_app_activity_search_vector_trg
  BEFORE INSERT OR UPDATE OF title, description, location ON calendar_app_activity
  FOR EACH ROW EXECUTE FUNCTION calendar_app_activity_search_vector();
UPDATE calendar_app_activity SET search_vector = {VECTOR.format(row="")};
CREATE INDEX calendar_app_activity_search_gin ON calendar_app_activity USING gin (search_vector);
"""  # noqa: S608 - SQL written here, no input

BACKWARD = """
DROP INDEX IF EXISTS calendar_app_activity_search_gin;
DROP TRIGGER IF EXISTS calendar_app_activity_search_vector_trg ON calendar_app_activity;
DROP FUNCTION IF EXISTS calendar_app_activity_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("calendar_app", "0003_reminders_claimed_by_core_deliveries"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["-created_at"], name="activity_created"),
        ),
    ]
