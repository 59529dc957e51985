"""The Celery app and the beat schedule (the one place periodic work is declared)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")

app = Celery("clientprogress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "clientprogress.tasks.heartbeat", "schedule": 60.0},
}
