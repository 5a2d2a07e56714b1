"""Full-text search for resources on PostgreSQL: a trigger fills search_vector, a GIN index serves it.

SQLite (the zero-setup `make run`) has neither; the library falls back to icontains there.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION resources_resource_search_update() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', replace(coalesce(NEW.tags, ''), ',', ' ')), 'B') ||
    setweight(to_tsvector('english', coalesce(NEW.description, '')), 'C');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER resources_resource_search_trigger
  BEFORE INSERT OR UPDATE OF title, tags, description ON resources_resource
  FOR EACH ROW EXECUTE FUNCTION resources_resource_search_update();
CREATE INDEX resources_resource_search_gin ON resources_resource USING gin (search_vector);
UPDATE resources_resource SET title = title;
"""

BACKWARD = """
DROP INDEX IF EXISTS resources_resource_search_gin;
DROP TRIGGER IF EXISTS resources_resource_search_trigger ON resources_resource;
DROP FUNCTION IF EXISTS resources_resource_search_update();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0001_library"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
    ]
