"""Celery tasks: each takes ids, loads, and calls one service. Rendering tasks carry their own
soft and hard time limits; CELERY_WORKER_MAX_MEMORY_PER_CHILD recycles a child that grew."""

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.utils import timezone

from . import services
from .periods import Week
from .selectors import delivery_in_flight

RENDER_LIMITS = {
    "soft_time_limit": settings.REPORT_RENDER_SOFT_TIME_LIMIT,
    "time_limit": settings.REPORT_RENDER_TIME_LIMIT,
}
RETRIES = {
    "autoretry_for": (OSError, SoftTimeLimitExceeded),
    "retry_backoff": 30,
    "retry_backoff_max": 900,
    "max_retries": 6,
}
# Each sweep hands out at most this many renders and mails; the rest wait for the next one.
SWEEP_BATCH = 500


@shared_task
def send_weekly_reports(week: str | None = None) -> int:
    """The Monday job: claims one delivery per recipient, then fans out one render per project
    and one mail per recipient. Any number of runs sends each mail once; a render or a mail
    that fails is logged by its own task and stops no other."""
    period = Week.parse(week) if week else Week.last_complete()
    run = services.weekly_run(
        week=period,
        render=lambda pk: render_weekly_report.delay(project_id=pk, week=period.label),
        deliver=lambda pk: deliver_weekly_report.delay(delivery_id=pk),
    )
    return len(run.delivered)


@shared_task(**RENDER_LIMITS, **RETRIES)
def render_weekly_report(*, project_id: int, week: str) -> None:
    services.weekly_project_render(project_id=project_id, week=Week.parse(week))


@shared_task(bind=True, **RENDER_LIMITS, **RETRIES)
def deliver_weekly_report(self: Task, *, delivery_id: int) -> bool:
    """Renders what is still missing (normally nothing: the renders were queued first), then
    sends. Each attempt keeps what the one before stored, so retries make progress."""
    try:
        sent = services.delivery_deliver(delivery_id=delivery_id)
    except Exception as error:
        retryable = isinstance(error, RETRIES["autoretry_for"])
        if not retryable or self.request.retries >= self.max_retries:
            services.delivery_give_up(delivery_id=delivery_id, error=f"{error!r}")
        raise
    if not sent and delivery_in_flight(delivery_id=delivery_id):
        # Claimed by a worker that may have died mid-send: look again when its lease ends.
        raise self.retry(countdown=settings.REPORT_DELIVERY_LEASE_SECONDS)
    return sent


@shared_task(**RENDER_LIMITS)
def render_requested_report(*, report_id: int) -> None:
    services.report_render_requested(report_id=report_id)


@shared_task
def sweep_lost_messages() -> int:
    """Beat's sweep: renders and weekly mails whose message the broker lost are handed out
    again; each is claimed, so a second beat or a late message does nothing twice."""
    now = timezone.now()
    renders = services.requested_reports_sweep(now=now, limit=SWEEP_BATCH)
    return len(renders) + len(services.deliveries_sweep(now=now, limit=SWEEP_BATCH))
