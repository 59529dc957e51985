"""Celery tasks of the milestones app: each takes ids, loads, and calls one service."""

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .models import SignOff
from .services import deleted_purge

RENDER_LIMITS = {
    "soft_time_limit": settings.REPORT_RENDER_SOFT_TIME_LIMIT,
    "time_limit": settings.REPORT_RENDER_TIME_LIMIT,
}


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=10,
    retry_backoff_max=600,
    max_retries=6,
    **RENDER_LIMITS,
)
def store_signoff_certificate(*, signoff_id: int) -> None:
    # WeasyPrint takes a second to import: only the processes that render pay for it.
    from .certificate import signoff_certificate_store

    signoff_certificate_store(signoff_id=signoff_id)


@shared_task
def sweep_certificates() -> int:
    """Hands out again the certificates whose first hand-out was lost (a broker down at the
    moment of the decision, a worker that died): any sign-off a minute old without one."""
    before = timezone.now() - datetime.timedelta(minutes=1)
    missing = SignOff.objects.filter(certificate="", signed_at__lt=before)
    ids = list(missing.order_by("pk").values_list("pk", flat=True)[:500])
    for signoff_id in ids:
        store_signoff_certificate.delay(signoff_id=signoff_id)
    return len(ids)


@shared_task
def purge_deleted() -> int:
    """Beat's removal of deleted criteria and deliverables once they can no longer be undone."""
    return deleted_purge(now=timezone.now())
