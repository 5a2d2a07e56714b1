"""Site search over polls on PostgreSQL: a trigger fills search_vector, a GIN index serves it.

On SQLite the column stays NULL; core/search.py keeps an FTS5 table in sync instead.
"""

import django.contrib.postgres.search
from django.db import migrations

VECTOR = """
    setweight(to_tsvector('english', coalesce({row}question, '')), 'A') ||
    setweight(to_tsvector('english', coalesce({row}description, '')), 'B')
"""

FORWARD = f"""
CREATE FUNCTION polls_poll_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := {VECTOR.format(row="NEW.")};
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER polls_poll_search_vector_trg
  BEFORE INSERT OR UPDATE OF question, description ON polls_poll
  FOR EACH ROW EXECUTE FUNCTION polls_poll_search_vector();
UPDATE polls_poll SET search_vector = {VECTOR.format(row="")};
CREATE INDEX polls_poll_search_gin ON polls_poll USING gin (search_vector);
"""  # noqa: S608 - SQL written here, no input

BACKWARD = """
DROP INDEX IF EXISTS polls_poll_search_gin;
DROP TRIGGER IF EXISTS polls_poll_search_vector_trg ON polls_poll;
DROP FUNCTION IF EXISTS polls_poll_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0003_sealed_anonymous_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="poll",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(forward, backward),
    ]
