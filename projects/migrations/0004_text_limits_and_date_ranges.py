import datetime

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Length

import clientprogress.limits

APP = "projects"
FITTED = [
    ("Project", {"description": 5000}, ["start_date", "end_date"]),
    ("TaskCard", {"description": 5000, "blocked_reason": 1000}, ["due_date"]),
]


FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def fit_existing_rows(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Rows stored before the limits: a text over its limit is cut there, a date out of range
    moves to the nearest day in it (which keeps start before end), so the constraints hold."""
    for model_name, texts, days in FITTED:
        model = apps.get_model(APP, model_name)
        for name, limit in texts.items():
            rows = model.objects.annotate(chars=Length(name)).filter(chars__gt=limit)
            for pk, text in rows.values_list("pk", name):
                model.objects.filter(pk=pk).update(**{name: text[: limit - 1] + "…"})
        for name in days:
            model.objects.filter(**{f"{name}__lt": FIRST_DAY}).update(**{name: FIRST_DAY})
            model.objects.filter(**{f"{name}__gt": LAST_DAY}).update(**{name: LAST_DAY})
    if schema_editor.connection.vendor == "postgresql":
        # Run the checks these updates queued now: PostgreSQL alters no table that has some
        # pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0003_user_language_names"),
    ]

    operations = [
        migrations.RunPython(fit_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="project",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="end_date",
            field=models.DateField(
                validators=[clientprogress.limits.validate_day], verbose_name="end date"
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="start_date",
            field=models.DateField(
                validators=[clientprogress.limits.validate_day], verbose_name="start date"
            ),
        ),
        migrations.AlterField(
            model_name="taskcard",
            name="blocked_reason",
            field=models.TextField(
                blank=True,
                max_length=1000,
                validators=[django.core.validators.MaxLengthValidator(1000)],
                verbose_name="blocked reason",
            ),
        ),
        migrations.AlterField(
            model_name="taskcard",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="taskcard",
            name="due_date",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[clientprogress.limits.validate_day],
                verbose_name="due date",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("start_date__range", (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)))
                ),
                name="project_start_date_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__range", (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)))
                ),
                name="project_end_date_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("description"), 5000
                ),
                name="project_description_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="taskcard",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("due_date__range", (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))),
                    ("due_date__isnull", True),
                    _connector="OR",
                ),
                name="card_due_date_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="taskcard",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("description"), 5000
                ),
                name="card_description_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="taskcard",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("blocked_reason"), 1000
                ),
                name="card_blocked_reason_length",
            ),
        ),
    ]
