import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models.functions import Length

APP = "notifications"
FITTED = [("Notification", {"text": 5000, "email_last_error": 2000})]


def fit_existing_rows(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """Rows stored before the limits: a text over its limit is cut there, so the constraints
    hold."""
    for model_name, texts in FITTED:
        model = apps.get_model(APP, model_name)
        for name, limit in texts.items():
            rows = model.objects.annotate(chars=Length(name)).filter(chars__gt=limit)
            for pk, text in rows.values_list("pk", name):
                model.objects.filter(pk=pk).update(**{name: text[: limit - 1] + "…"})
    if schema_editor.connection.vendor == "postgresql":
        # Run the checks these updates queued now: PostgreSQL alters no table that has some
        # pending in the same transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_account_mail_outbox"),
    ]

    operations = [
        migrations.RunPython(fit_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="email_last_error",
            field=models.TextField(
                blank=True,
                max_length=2000,
                validators=[django.core.validators.MaxLengthValidator(2000)],
                verbose_name="last e-mail error",
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="text",
            field=models.TextField(
                blank=True,
                max_length=5000,
                validators=[django.core.validators.MaxLengthValidator(5000)],
                verbose_name="text",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("text"), 5000
                ),
                name="notification_text_length",
            ),
        ),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.LessThanOrEqual(
                    django.db.models.functions.text.Length("email_last_error"), 2000
                ),
                name="notification_error_length",
            ),
        ),
    ]
