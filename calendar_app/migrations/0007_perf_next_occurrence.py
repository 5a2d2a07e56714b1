"""Each activity's next date, for the soonest-first panels (issue 19).

Rows start without one (``next_as_of`` null), which the selectors expand as before; the
nightly ``calendar_app.refresh_next_occurrences`` (or any edit) fills it in.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("calendar_app", "0006_merge_0005_districts_rotation_0005_reports_attendance"),
        ("communities", "0004_districts_invitation_roles_and_links"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="next_as_of",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="activity",
            name="next_end",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="activity",
            name="next_start",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["community", "next_start"], name="activity_next_start"),
        ),
    ]
