from celery import Task, shared_task
from django.utils import timezone

from .overdue import overdue_check
from .services import account_mail_send, account_mails_sweep, notification_email_send, outbox_sweep

# Each run of the sweep hands at most this many mails of each outbox to the workers; the rest
# wait for the next run instead of flooding the queue.
SWEEP_BATCH = 2000


@shared_task(bind=True, max_retries=None)
def send_notification_email(self: Task, notification_id: int) -> None:
    """Sends one notification's mail; the row, not Celery, counts the attempts."""
    retry_in = notification_email_send(notification_id=notification_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task(bind=True, max_retries=None)
def send_account_mail(self: Task, mail_id: int) -> None:
    """Sends one account mail (a password reset, an invitation), counted like a notification's."""
    retry_in = account_mail_send(mail_id=mail_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)


@shared_task
def check_overdue() -> int:
    """Beat's overdue check; a second beat or a redelivered message finds nothing new."""
    return len(overdue_check(now=timezone.now()).created)


@shared_task
def sweep_outbox() -> int:
    """Beat's outbox sweep: both outboxes, each row claimed by its sender."""
    now = timezone.now()
    return len(outbox_sweep(now=now, limit=SWEEP_BATCH)) + len(
        account_mails_sweep(now=now, limit=SWEEP_BATCH)
    )
