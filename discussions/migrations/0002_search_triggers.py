"""Full-text search on PostgreSQL: triggers keep search_vector current, GIN indexes make it fast.

Triggers (rather than code in save()) also cover bulk_create and raw COPY, which the
benchmark uses. On SQLite this migration does nothing and search falls back to icontains.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION discussions_thread_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector :=
    setweight(to_tsvector('english', coalesce(NEW.title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER discussions_thread_search_vector_trg
  BEFORE INSERT OR UPDATE OF title, body ON discussions_thread
  FOR EACH ROW EXECUTE FUNCTION discussions_thread_search_vector();

CREATE OR REPLACE FUNCTION discussions_post_search_vector() RETURNS trigger AS $$
BEGIN
  NEW.search_vector := setweight(to_tsvector('english', coalesce(NEW.body, '')), 'B');
  RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER discussions_post_search_vector_trg
  BEFORE INSERT OR UPDATE OF body ON discussions_post
  FOR EACH ROW EXECUTE FUNCTION discussions_post_search_vector();

CREATE INDEX discussions_thread_search_gin ON discussions_thread USING gin (search_vector);
CREATE INDEX discussions_post_search_gin ON discussions_post USING gin (search_vector);
"""

BACKWARD = """
DROP INDEX IF EXISTS discussions_post_search_gin;
DROP INDEX IF EXISTS discussions_thread_search_gin;
DROP TRIGGER IF EXISTS discussions_post_search_vector_trg ON discussions_post;
DROP TRIGGER IF EXISTS discussions_thread_search_vector_trg ON discussions_thread;
DROP FUNCTION IF EXISTS discussions_post_search_vector();
DROP FUNCTION IF EXISTS discussions_thread_search_vector();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("discussions", "0001_threads_posts")]

    operations = [migrations.RunPython(forward, backward)]
