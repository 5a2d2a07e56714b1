"""Quoted phrases found through the pairs of words they need (issue 19).

A phrase query ("coding classroom") reads, through the search_vector index, every post that holds
both words anywhere (15,644 posts at 1,000,000) and checks each one's word positions: 170 ms. The
GIN index on ``search_pairs(search_vector)`` (the distinct pairs of stems next to each other, as
"code classroom") finds the 353 posts with the pair at once; core.search then checks the phrase on
those alone. ANALYZE gives the planner the new expression's statistics at once.

Built with CREATE INDEX CONCURRENTLY, so posting goes on while it builds (minutes at 1,000,000
posts: search_pairs costs about 0.1 ms a post). Nothing on SQLite, whose FTS5 tables read phrases.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION search_pairs(tsvector) RETURNS text[]
IMMUTABLE STRICT PARALLEL SAFE COST 1000 LANGUAGE sql AS $$
  SELECT coalesce(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme), '{}')
  FROM (SELECT lexeme, unnest(positions) AS p FROM unnest($1)) AS a
  JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest($1)) AS b ON b.p = a.p + 1
$$
"""
# COST 1000: reading the pairs of one row costs about as much as 1,000 comparisons, so the
# planner reaches the pairs through their index rather than computing them row by row.

INDEXES = [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS thread_search_pairs ON discussions_thread "
    "USING gin (search_pairs(search_vector))",
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS post_search_pairs ON discussions_post "
    "USING gin (search_pairs(search_vector))",
    "ANALYZE discussions_thread",
    "ANALYZE discussions_post",
]

BACKWARD = [
    "DROP INDEX CONCURRENTLY IF EXISTS post_search_pairs",
    "DROP INDEX CONCURRENTLY IF EXISTS thread_search_pairs",
    "DROP FUNCTION IF EXISTS search_pairs(tsvector)",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in [FUNCTION, *INDEXES]:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("discussions", "0013_thread_unanswered_index")]

    operations = [migrations.RunPython(forward, backward)]
