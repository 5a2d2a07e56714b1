"""Search at a million posts: newest-first indexes for the ranking cap, and the word list behind "Did you mean".

The word list is matched by trigram similarity (pg_trgm, a GIN index); on SQLite it stays
empty and search suggests nothing.
"""

import django.db.models.deletion
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


TRIGRAMS = "CREATE INDEX searchword_word_trgm ON discussions_searchword USING gin (word gin_trgm_ops)"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGRAMS)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS searchword_word_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("communities", "0001_initial"),
        ("discussions", "0007_one_post_per_form_submission"),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("word", models.CharField(max_length=40)),
                ("lexeme", models.CharField(blank=True, max_length=40)),
                ("documents", models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="SearchWordProgress",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("source", models.CharField(max_length=40, unique=True)),
                ("last_id", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["-created_at"], name="post_created"),
        ),
        migrations.AddIndex(
            model_name="post",
            index=models.Index(fields=["community", "-created_at"], name="post_community_created"),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(fields=["-created_at"], name="thread_created"),
        ),
        migrations.AddIndex(
            model_name="thread",
            index=models.Index(condition=models.Q(("is_hidden", True)), fields=["id"], name="thread_hidden"),
        ),
        migrations.AddField(
            model_name="searchword",
            name="community",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="communities.community",
            ),
        ),
        migrations.AddIndex(
            model_name="searchword",
            index=models.Index(fields=["lexeme", "community"], name="searchword_lexeme"),
        ),
        migrations.AddConstraint(
            model_name="searchword",
            constraint=models.UniqueConstraint(fields=("word", "community"), name="searchword_word_community"),
        ),
        migrations.RunPython(forward, backward),
    ]
