import datetime

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Length

import clientprogress.limits

APP = "milestones"
FITTED = [
    ("Phase", {}, ["planned_start", "planned_end"]),
    ("Milestone", {"description": 5000}, ["due_date"]),
    ("Deliverable", {"description": 5000}, []),
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
        ("milestones", "0004_signoff_certificate_stored"),
    ]

    operations = [
        migrations.RunPython(fit_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="deliverable",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="description",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="description",
            ),
        ),
        migrations.AlterField(
            model_name="milestone",
            name="due_date",
            field=models.DateField(
                validators=[clientprogress.limits.validate_day], verbose_name="due date"
            ),
        ),
        migrations.AlterField(
            model_name="phase",
            name="planned_end",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[clientprogress.limits.validate_day],
                verbose_name="planned end",
            ),
        ),
        migrations.AlterField(
            model_name="phase",
            name="planned_start",
            field=models.DateField(
                blank=True,
                null=True,
                validators=[clientprogress.limits.validate_day],
                verbose_name="planned start",
            ),
        ),
        migrations.AddConstraint(
            model_name="deliverable",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("description"), 5000
                ),
                name="deliverable_description_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("due_date__range", (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)))
                ),
                name="milestone_due_date_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("description"), 5000
                ),
                name="milestone_description_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="phase",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "planned_start__range",
                        (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)),
                    ),
                    ("planned_start__isnull", True),
                    _connector="OR",
                ),
                name="phase_planned_start_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="phase",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "planned_end__range",
                        (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)),
                    ),
                    ("planned_end__isnull", True),
                    _connector="OR",
                ),
                name="phase_planned_end_in_range",
            ),
        ),
    ]
