from django.conf import settings
from django.db import migrations, models

import projects.models


def existing_users_in_the_site_zone(apps: object, schema_editor: object) -> None:
    """The field's default is written into this migration as it was when it was made; people who
    were already here get the zone the site runs in, as new users do."""
    apps.get_model("projects", "User").objects.update(time_zone=settings.TIME_ZONE)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_text_limits_and_date_ranges"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                default="UTC",
                max_length=64,
                validators=[projects.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(existing_users_in_the_site_zone, migrations.RunPython.noop),
    ]
