"""Writes on notifications: recording them, the e-mail outboxes (notification mails and account
mails), reading, preferences."""

import datetime
import logging
import random
import smtplib
from collections.abc import Callable, Iterable
from contextlib import closing

from celery import Task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from clientprogress.languages import offered_language
from clientprogress.limits import ERROR_TEXT, LONG_TEXT, fit, fit_field
from clientprogress.mail import message_id, plain_subject

from .models import AccountMail, Notification, NotificationPreference

User = get_user_model()

logger = logging.getLogger(__name__)

EmailState = Notification.EmailState
# Both outboxes have the same columns and share pending/sending/sent/failed.
OutboxRow = Notification | AccountMail


def in_app_only(*, user: OuterRef | F, kind: OuterRef | F) -> Exists:
    """True where the user chose to read this kind in the app only."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind, by_email=False)
    return Exists(chosen)


def notify(
    *,
    recipient_ids: Iterable[int],
    kind: str,
    title: str,
    dedupe_key: str,
    text: str = "",
    link: str = "",
    project_id: int | None = None,
    target: str = "",
) -> int:
    """Records one notification per active recipient, at most once per (recipient, dedupe_key),
    in the caller's transaction; their mails leave after it commits. Returns how many are new.
    Other apps call this with plain data."""
    recipients = (
        User.objects.filter(pk__in=set(recipient_ids), is_active=True)
        .exclude(notifications__dedupe_key=dedupe_key)
        .annotate(in_app_only=in_app_only(user=OuterRef("pk"), kind=kind))
        .values_list("pk", "in_app_only")
    )
    now = timezone.now()
    rows = []
    for recipient_id, skip_email in recipients:
        row = Notification(
            recipient_id=recipient_id,
            kind=kind,
            project_id=project_id,
            target=target,
            # Titles and texts are built from what people typed; a long one is cut, never
            # refused.
            title=fit_field(Notification, "title", title),
            text=fit(text, LONG_TEXT),
            link=link,
            dedupe_key=dedupe_key,
            created_at=now,
            email_due_at=now,
            email_state=EmailState.SKIPPED if skip_email else EmailState.PENDING,
        )
        row.full_clean(exclude=["recipient", "project"], validate_constraints=False)
        rows.append(row)
    # A concurrent call with the same key loses on the unique constraint instead of failing.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    mailed = [row.recipient_id for row in rows if row.email_state == EmailState.PENDING]
    if mailed:
        transaction.on_commit(lambda: _deliver_later(dedupe_key, mailed), robust=True)
    return len(rows)


def _deliver_later(dedupe_key: str, recipient_ids: list[int]) -> None:
    pending = Notification.objects.filter(
        dedupe_key=dedupe_key, recipient_id__in=recipient_ids, email_state=EmailState.PENDING
    )
    emails_enqueue(notification_ids=list(pending.values_list("pk", flat=True)))


def emails_enqueue(*, notification_ids: list[int]) -> None:
    """Hands the mails to the workers. A broker that is down loses nothing: the rows stay
    pending and the outbox sweep enqueues them again."""
    from .tasks import send_notification_email  # the tasks module imports this one

    _enqueue(send_notification_email, notification_ids, "notification mails")


def account_mails_enqueue(*, mail_ids: list[int]) -> None:
    """Like emails_enqueue, for account mails."""
    from .tasks import send_account_mail

    _enqueue(send_account_mail, mail_ids, "account mails")


def _enqueue(task: Task, ids: list[int], what: str) -> None:
    if not ids:
        return
    try:
        with task.app.producer_or_acquire() as producer:
            for pk in ids:
                task.apply_async((pk,), producer=producer)
    except Exception:
        logger.exception("could not enqueue %d %s", len(ids), what)


def account_mail_queue(
    *, kind: str, to: str, subject: str, body: str, html: str = ""
) -> AccountMail:
    """Puts a written mail in the outbox, in the caller's transaction; it leaves once that
    commits, or with the outbox sweep when the broker was down."""
    mail = AccountMail(kind=kind, to=to, subject=plain_subject(subject), body=body, html=html)
    return _account_mail_create(mail)


def password_reset_queue(*, email: str, language: str) -> AccountMail:
    """Asks for a reset mail to whoever uses the address. The worker looks the account up and
    writes the mail: here it is one insert for any address, so neither the answer nor its
    timing tells which addresses have an account."""
    mail = AccountMail(kind=AccountMail.Kind.PASSWORD_RESET, to=email, language=language)
    return _account_mail_create(mail)


def _account_mail_create(mail: AccountMail) -> AccountMail:
    mail.full_clean(validate_constraints=False)
    mail.save()
    transaction.on_commit(lambda: account_mails_enqueue(mail_ids=[mail.pk]), robust=True)
    return mail


def retry_delay(*, attempts: int) -> float:
    """Exponential backoff with jitter: about base·2^(n-1) seconds after the n-th attempt,
    never above the configured maximum (which stays below the broker's visibility timeout)."""
    ceiling = min(
        settings.NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS,
        settings.NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0),
    )
    return random.uniform(ceiling / 2, ceiling)  # noqa: S311 - spreading retries, not secrecy


def notification_email_claim(*, notification_id: int, now: datetime.datetime) -> bool:
    """Takes the row for one attempt, or answers False when it is sent, failed, in-app only or
    in another worker's hands."""
    return _outbox_claim(Notification, pk=notification_id, now=now)


def _outbox_claim(model: type[OutboxRow], *, pk: int, now: datetime.datetime) -> bool:
    """A claim older than a task's time limit belongs to a worker that died, so it may be
    taken over."""
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS)
    claimable = Q(email_state=EmailState.PENDING) | Q(
        email_state=EmailState.SENDING, email_claimed_at__lt=stale
    )
    claimed = model.objects.filter(claimable, pk=pk).update(
        email_state=EmailState.SENDING,
        email_attempts=F("email_attempts") + 1,
        email_claimed_at=now,
    )
    return claimed == 1


def _is_permanent(error: Exception) -> bool:
    """A 5xx answer will not change on a retry, nor will a mail Django refuses to write (a bad
    header or address: ValueError); time-outs, 4xx and lost connections may."""
    if isinstance(error, ValueError):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def notification_email_send(*, notification_id: int) -> float | None:
    """Claims, sends and records one notification's mail. Returns the seconds to wait before
    the next attempt when it should be tried again, None when there is nothing more to do."""
    if not notification_email_claim(notification_id=notification_id, now=timezone.now()):
        return None
    notification = Notification.objects.select_related("recipient", "project").get(
        pk=notification_id
    )
    if not notification.recipient.has_usable_password():
        # Nobody can log in to the account yet: an invited contact chooses a password when they
        # accept. Until then the address is unconfirmed; the row waits in the app for them.
        Notification.objects.filter(pk=notification_id, email_state=EmailState.SENDING).update(
            email_state=EmailState.SKIPPED
        )
        return None
    return _outbox_deliver(
        notification,
        lambda smtp: notification_email_message(notification=notification, connection=smtp),
    )


def account_mail_send(*, mail_id: int) -> float | None:
    """Like notification_email_send, for an account mail."""
    if not _outbox_claim(AccountMail, pk=mail_id, now=timezone.now()):
        return None
    mail = AccountMail.objects.get(pk=mail_id)
    return _outbox_deliver(mail, lambda smtp: account_mail_message(mail=mail, connection=smtp))


def _outbox_deliver(
    row: OutboxRow, build: Callable[[BaseEmailBackend], EmailMessage | None]
) -> float | None:
    """Writes and sends the claimed row's mail (None from `build`: there is no one to send it
    to) and records how it went."""
    claimed = type(row).objects.filter(pk=row.pk, email_state=EmailState.SENDING)
    # Closed here whatever happens: Django's backend leaves a connection open when it raises.
    with closing(get_connection()) as smtp:
        try:
            message = build(smtp)
            if message is None:
                claimed.update(email_state=AccountMail.EmailState.NO_ACCOUNT)
                return None
            message.send()
        except (smtplib.SMTPException, OSError, ValueError) as error:
            return _attempt_failed(row=row, error=error)
    claimed.update(email_state=EmailState.SENT, emailed_at=timezone.now(), email_last_error="")
    return None


def _attempt_failed(*, row: OutboxRow, error: Exception) -> float | None:
    description = fit(f"{type(error).__name__}: {error}", ERROR_TEXT)
    logger.warning("%s %s mail attempt failed: %s", row._meta.model_name, row.pk, description)
    final = _is_permanent(error) or row.email_attempts >= settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS
    delay = None if final else retry_delay(attempts=row.email_attempts)
    type(row).objects.filter(pk=row.pk, email_state=EmailState.SENDING).update(
        email_state=EmailState.FAILED if final else EmailState.PENDING,
        email_last_error=description,
        email_due_at=timezone.now() + datetime.timedelta(seconds=delay or 0),
    )
    return delay


def notification_email_message(
    *, notification: Notification, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """The mail in the recipient's language, with absolute links back to the item."""
    recipient = notification.recipient
    with translation.override(offered_language(recipient.language)):
        context = {
            "notification": notification,
            "details": notification.details(),
            "url": f"{settings.SITE_URL}{notification.link}" if notification.link else "",
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
        }
        subject = gettext("%(kind)s: %(title)s") % {
            "kind": notification.get_kind_display(),
            "title": notification.title,
        }
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    message = EmailMultiAlternatives(
        subject=plain_subject(subject),
        body=text,
        to=[recipient.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id("notification", notification.pk),
        },
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message


def account_mail_message(
    *, mail: AccountMail, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives | None:
    """The mail as written by the caller; a reset is written here, None without an account."""
    if mail.kind == AccountMail.Kind.PASSWORD_RESET:
        return password_reset_message(mail=mail, connection=connection)
    return _account_message(
        mail,
        to=mail.to,
        subject=mail.subject,
        body=mail.body,
        html=mail.html,
        connection=connection,
    )


def password_reset_message(
    *, mail: AccountMail, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives | None:
    """Django's choice of account (active, with a password, the same address in any case) and
    a one-time link on SITE_URL: never on the host a request named, which anyone may forge."""
    user = next(iter(PasswordResetForm().get_users(mail.to)), None)
    if user is None:
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    context = {"email": user.email, "user": user, "link": settings.SITE_URL + path}
    with translation.override(offered_language(user.language or mail.language)):
        subject = render_to_string("registration/password_reset_subject.txt", context)
        body = render_to_string("registration/password_reset_email.html", context)
    return _account_message(mail, to=user.email, subject=subject, body=body, connection=connection)


def _account_message(
    mail: AccountMail,
    *,
    to: str,
    subject: str,
    body: str,
    html: str = "",
    connection: BaseEmailBackend | None = None,
) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=plain_subject(subject),
        body=body,
        to=[to],
        headers={"Message-ID": message_id("account-mail", mail.pk)},
        connection=connection,
    )
    if html:
        message.attach_alternative(html, "text/html")
    return message


def outbox_sweep(*, now: datetime.datetime, limit: int) -> list[int]:
    """Notification mails a lost message or a dead worker left behind (see _left_behind)."""
    ids = _left_behind(Notification, now=now, limit=limit)
    transaction.on_commit(lambda: emails_enqueue(notification_ids=ids), robust=True)
    return ids


def account_mails_sweep(*, now: datetime.datetime, limit: int) -> list[int]:
    """Account mails left behind, above all those whose request found the broker down."""
    ids = _left_behind(AccountMail, now=now, limit=limit)
    transaction.on_commit(lambda: account_mails_enqueue(mail_ids=ids), robust=True)
    return ids


@transaction.atomic
def _left_behind(model: type[OutboxRow], *, now: datetime.datetime, limit: int) -> list[int]:
    """Rows pending past their time by a grace period, or claimed longer ago than any attempt
    can take. Pushing their next time forward keeps the next sweep from enqueueing them again
    while they wait in the queue."""
    grace = datetime.timedelta(seconds=settings.NOTIFICATIONS_OUTBOX_GRACE_SECONDS)
    stale = now - datetime.timedelta(seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS)
    left = Q(email_state=EmailState.PENDING, email_due_at__lt=now - grace) | Q(
        email_state=EmailState.SENDING, email_claimed_at__lt=stale
    )
    ids = list(
        model.objects.filter(left).order_by("email_due_at").values_list("pk", flat=True)[:limit]
    )
    model.objects.filter(pk__in=ids, email_state=EmailState.PENDING).update(email_due_at=now)
    return ids


@transaction.atomic
def notification_emails_resend(*, notification_ids: list[int]) -> int:
    """Sends failed (or never sent) mails again from a fresh count of attempts."""
    resend = Notification.objects.filter(pk__in=notification_ids).exclude(
        email_state__in=[EmailState.SENT, EmailState.SENDING]
    )
    ids = list(resend.values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        email_state=EmailState.PENDING, email_attempts=0, email_due_at=timezone.now()
    )
    transaction.on_commit(lambda: emails_enqueue(notification_ids=ids), robust=True)
    return len(ids)


def notification_mark_read(*, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_update(*, user: User, by_email: dict[str, bool]) -> None:
    """Stores the user's choice for every kind given."""
    rows = []
    for kind, choice in by_email.items():
        row = NotificationPreference(user=user, kind=kind, by_email=choice)
        row.full_clean(exclude=["user"], validate_constraints=False)
        rows.append(row)
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["by_email"],
    )
