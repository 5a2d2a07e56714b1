from django.db import migrations, models
from django.db.models import F
from django.utils import timezone


def polls_open_already_were_seen(apps, schema_editor):
    # Polls that opened before notifications existed are not announced now, months late.
    Poll = apps.get_model("polls", "Poll")
    Poll.objects.filter(opens_at__lte=timezone.now()).update(announced_at=F("opens_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("polls", "0005_districts_repeating_rounds"),
    ]

    operations = [
        migrations.AddField(
            model_name="poll",
            name="announced_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="poll",
            index=models.Index(
                condition=models.Q(("announced_at__isnull", True)), fields=["opens_at"], name="poll_not_announced"
            ),
        ),
        migrations.RunPython(polls_open_already_were_seen, migrations.RunPython.noop),
    ]
