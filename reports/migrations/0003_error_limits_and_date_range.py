import datetime

import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Length

import clientprogress.limits

APP = "reports"
FITTED = [
    ("StatusReport", {"error": 2000}),
    ("ReportDelivery", {"last_error": 2000}),
]


FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)


def fit_existing_rows(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Rows stored before the limits: a text over its limit is cut there, so the constraints
    hold."""
    for model_name, texts in FITTED:
        model = apps.get_model(APP, model_name)
        for name, limit in texts.items():
            rows = model.objects.annotate(chars=Length(name)).filter(chars__gt=limit)
            for pk, text in rows.values_list("pk", name):
                model.objects.filter(pk=pk).update(**{name: text[: limit - 1] + "…"})
    # A report of a week outside the range (only a mistyped --week of render_report could make
    # one) covers no day a project can have: moving its first day would contradict its label.
    report = apps.get_model(APP, "StatusReport")
    report.objects.exclude(period_start__range=(FIRST_DAY, LAST_DAY)).delete()
    if schema_editor.connection.vendor == "postgresql":
        # Run the checks these updates queued now: PostgreSQL alters no table that has some
        # pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_report_enqueue_times"),
    ]

    operations = [
        migrations.RunPython(fit_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="reportdelivery",
            name="last_error",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="last error",
            ),
        ),
        migrations.AlterField(
            model_name="statusreport",
            name="error",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="error",
            ),
        ),
        migrations.AlterField(
            model_name="statusreport",
            name="period_start",
            field=models.DateField(
                validators=[clientprogress.limits.validate_day], verbose_name="first day"
            ),
        ),
        migrations.AddConstraint(
            model_name="reportdelivery",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("last_error"), 2000
                ),
                name="delivery_error_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="statusreport",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "period_start__range",
                        (datetime.date(2000, 1, 1), datetime.date(2100, 12, 31)),
                    )
                ),
                name="report_period_start_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="statusreport",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("error"), 2000
                ),
                name="report_error_length",
            ),
        ),
    ]
