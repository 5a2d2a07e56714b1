"""Site search ranks the newest matching resources of the library: an index read backwards finds them."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0004_email_state_moves_to_core_deliveries"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="resource",
            index=models.Index(
                condition=models.Q(("status__in", ["approved", "featured"])),
                fields=["-created_at"],
                name="resource_library_created",
            ),
        ),
    ]
