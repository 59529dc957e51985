from django.conf import settings

from clientprogress.tasks import heartbeat


def test_a_real_worker_consumes_a_task_from_the_configured_broker(celery_worker) -> None:
    result = heartbeat.delay()
    assert result.get(timeout=20) == "ok"
    assert celery_worker.app.conf.broker_url == (settings.REDIS_URL or "filesystem://")


def test_beat_schedule_is_declared_in_code() -> None:
    from clientprogress.celery import app

    assert app.conf.beat_schedule["heartbeat"]["task"] == "clientprogress.tasks.heartbeat"
