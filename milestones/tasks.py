from celery import shared_task
from django.utils import timezone

from .services import deleted_purge


@shared_task
def purge_deleted() -> int:
    """Beat's removal of deleted criteria and deliverables once they can no longer be undone."""
    return deleted_purge(now=timezone.now())
