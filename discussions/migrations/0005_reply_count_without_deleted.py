"""Threads' reply counts stop counting replies their authors deleted."""

from django.db import migrations
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def recount(apps, schema_editor):
    Thread = apps.get_model("discussions", "Thread")
    Post = apps.get_model("discussions", "Post")
    live = (
        Post.objects.filter(thread=OuterRef("pk"), is_deleted=False)
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")
    )
    touched = Post.objects.filter(is_deleted=True).values("thread_id")
    Thread.objects.filter(pk__in=touched).update(reply_count=Coalesce(Subquery(live), 0))


class Migration(migrations.Migration):
    dependencies = [("discussions", "0004_one_open_flag_on_opening")]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
