"""The Celery app and the beat schedule (the one place periodic work is declared)."""

import os

from celery import Celery
from celery.schedules import crontab
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")

app = Celery("clientprogress")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "heartbeat": {"task": "clientprogress.tasks.heartbeat", "schedule": 60.0},
    "overdue-check": {
        "task": "notifications.tasks.check_overdue",
        "schedule": settings.NOTIFICATIONS_CHECK_EVERY_MINUTES * 60.0,
    },
    "notification-outbox-sweep": {
        "task": "notifications.tasks.sweep_outbox",
        "schedule": settings.NOTIFICATIONS_OUTBOX_SWEEP_EVERY_MINUTES * 60.0,
    },
    "certificate-sweep": {"task": "milestones.tasks.sweep_certificates", "schedule": 300.0},
    "report-lost-messages-sweep": {
        "task": "reports.tasks.sweep_lost_messages",
        "schedule": 60.0,
    },
    "purge-deleted-plan-items": {"task": "milestones.tasks.purge_deleted", "schedule": 300.0},
    "weekly-status-reports": {
        "task": "reports.tasks.send_weekly_reports",
        # In CELERY_TIMEZONE (= TIME_ZONE); crontab counts Sunday as 0, settings as ISO 7.
        "schedule": crontab(
            day_of_week=settings.REPORT_WEEKLY_DAY % 7,
            hour=settings.REPORT_WEEKLY_HOUR,
            minute=settings.REPORT_WEEKLY_MINUTE,
        ),
    },
}
