from celery import Task, shared_task
from django.utils import timezone

from .overdue import overdue_check
from .services import notification_email_send, outbox_sweep

# Each run of the sweep hands at most this many mails to the workers; the rest wait for the
# next run instead of flooding the queue.
SWEEP_BATCH = 2000


@shared_task(bind=True, max_retries=None)
def send_notification_email(self: Task, notification_id: int) -> None:
    """Sends one notification's mail; the row, not Celery, counts the attempts."""
    retry_in = notification_email_send(notification_id=notification_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task
def check_overdue() -> int:
    """Beat's overdue check; a second beat or a redelivered message finds nothing new."""
    return len(overdue_check(now=timezone.now()).created)


@shared_task
def sweep_outbox() -> int:
    return len(outbox_sweep(now=timezone.now(), limit=SWEEP_BATCH))
