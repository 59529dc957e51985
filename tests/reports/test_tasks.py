"""The Monday job through a real worker and broker, and the limits its render tasks carry."""

from django.conf import settings

from clientprogress.celery import app
from clientprogress.tasks import heartbeat
from reports import tasks
from reports.models import ReportDelivery, StatusReport
from tests.reports.support import make_portfolio


def test_two_beats_through_the_worker_send_each_mail_once(celery_worker, mailoutbox) -> None:
    make_portfolio()
    tasks.send_weekly_reports.delay(week="2026-W07")
    tasks.send_weekly_reports.delay(week="2026-W07")

    # Only the outbox is watched while the worker runs: SQLite's shared in-memory test
    # database cannot take a reader beside the worker's writes.
    celery_worker.wait_for(lambda: len(mailoutbox) >= 4, timeout=60)
    # One worker, first in first out: once this answers, every task queued before it is done.
    assert heartbeat.delay().get(timeout=30) == "ok"
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com", "paula@example.com"]
    )
    assert set(ReportDelivery.objects.values_list("state", flat=True)) == {"sent"}
    assert StatusReport.objects.filter(period="2026-W07").count() == 3


def test_render_tasks_have_soft_and_hard_time_limits() -> None:
    for task in (
        tasks.render_weekly_report,
        tasks.deliver_weekly_report,
        tasks.render_requested_report,
    ):
        assert task.soft_time_limit == settings.REPORT_RENDER_SOFT_TIME_LIMIT
        assert task.time_limit == settings.REPORT_RENDER_TIME_LIMIT
        assert task.soft_time_limit < task.time_limit
    assert app.conf.worker_max_memory_per_child == settings.CELERY_WORKER_MAX_MEMORY_PER_CHILD


def test_the_weekly_job_is_scheduled_monday_at_eight_by_default() -> None:
    entry = app.conf.beat_schedule["weekly-status-reports"]
    assert entry["task"] == "reports.tasks.send_weekly_reports"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1} and schedule.hour == {8} and schedule.minute == {0}


def test_beat_hands_out_lost_renders_and_weekly_mails_every_minute() -> None:
    entry = app.conf.beat_schedule["report-lost-messages-sweep"]
    assert entry["task"] == "reports.tasks.sweep_lost_messages"
    assert entry["schedule"] == 60
    assert entry["task"] in app.tasks
