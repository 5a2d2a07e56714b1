"""Accounts made before feed tokens were created with the account get theirs now."""

from django.conf import settings
from django.db import migrations


def create_missing(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    FeedToken = apps.get_model("calendar_app", "FeedToken")
    from calendar_app.models import new_feed_token

    missing = User.objects.filter(calendar_feed__isnull=True).values_list("pk", flat=True)
    FeedToken.objects.bulk_create([FeedToken(user_id=pk, token=new_feed_token()) for pk in missing.iterator()], 1000)


class Migration(migrations.Migration):
    dependencies = [
        ("calendar_app", "0001_activities_responsibilities_rsvps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_missing, migrations.RunPython.noop)]
