import logging

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task(ignore_result=False)
def heartbeat() -> str:
    """Proves that beat schedules and a worker consumes; its log line shows both are alive, and
    its result (the one task that keeps one) that a worker answers."""
    logger.info("heartbeat")
    return "ok"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_account_email(*, subject: str, body: str, to: list[str], html: str = "") -> None:
    """Sends a mail queued by the release before account mails went through the outbox
    (notifications.AccountMail), so none waiting in the broker at the upgrade is lost. Nothing
    enqueues it any more: remove it one release later."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
