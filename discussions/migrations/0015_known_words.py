"""Each word search knows once, for "Did you mean" (issue 19).

The suggestion compared a typed word by trigram similarity with every (word, community) row of the
word list: at 1,000,000 posts 323,150 rows for 6,463 words, 7-28 ms a search. ``KnownWord`` holds each
word once (its trigram GIN index finds the few similar ones); the word list then says whether a
community the searcher may see wrote them. Filled here from the word list (seconds), then kept with it
by ``refresh_search_words``. On SQLite it stays empty, as the word list does.
"""

from django.db import migrations, models

FILL = (
    "INSERT INTO discussions_knownword (word) SELECT DISTINCT word FROM discussions_searchword "
    "ON CONFLICT (word) DO NOTHING"
)
TRIGRAMS = "CREATE INDEX knownword_word_trgm ON discussions_knownword USING gin (word gin_trgm_ops)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in (FILL, TRIGRAMS, "ANALYZE discussions_knownword"):
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS knownword_word_trgm")


class Migration(migrations.Migration):
    dependencies = [("discussions", "0014_search_pairs")]

    operations = [
        migrations.CreateModel(
            name="KnownWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=40, unique=True)),
            ],
        ),
        migrations.RunPython(forward, backward),
    ]
