from django.db import migrations, models


class Migration(migrations.Migration):
    """Sign-offs store the milestone's title, description and criteria as shown. Records made
    before have no copy: they become format 1, whose hash covers the fields they had, so they
    still verify; new records are format 2."""

    dependencies = [
        ("milestones", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="signoff",
            name="record_format",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="record format"),
        ),
        migrations.AlterField(
            model_name="signoff",
            name="record_format",
            field=models.PositiveSmallIntegerField(default=2, verbose_name="record format"),
        ),
        migrations.AddField(
            model_name="signoff",
            name="milestone_title",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="milestone title as shown"
            ),
        ),
        migrations.AddField(
            model_name="signoff",
            name="milestone_description",
            field=models.TextField(blank=True, verbose_name="milestone description as shown"),
        ),
        migrations.AddField(
            model_name="signoff",
            name="milestone_criteria",
            field=models.JSONField(
                blank=True, default=list, verbose_name="acceptance criteria as shown"
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(("record_format__in", [1, 2])),
                name="signoff_record_format_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="signoff",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("record_format", 1),
                    models.Q(("milestone_title", ""), _negated=True),
                    _connector="OR",
                ),
                name="signoff_stores_the_title_shown",
            ),
        ),
    ]
