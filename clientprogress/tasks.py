import logging

from celery import shared_task
from django.core.mail import EmailMultiAlternatives

logger = logging.getLogger(__name__)


@shared_task
def heartbeat() -> str:
    """Proves that beat schedules and a worker consumes; its log line shows both are alive."""
    logger.info("heartbeat")
    return "ok"


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=8)
def send_account_email(*, subject: str, body: str, to: list[str], html: str = "") -> None:
    """Sends one account mail (password reset, invitation) outside the request."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
