"""E-mail delivery against real SMTP servers started by the tests."""

import datetime
import time

import pytest
import time_machine
from django.conf import settings
from django.contrib.admin.sites import site
from django.test import RequestFactory
from django.utils import timezone

from notifications.admin import NotificationAdmin
from notifications.models import Notification
from notifications.services import (
    notification_email_send,
    notify,
    outbox_sweep,
    retry_delay,
)
from notifications.tasks import send_notification_email
from projects.models import Project, User
from tests.mail_support import Handler
from tests.notifications.factories import NotificationFactory
from tests.support import PRODUCTION, manage

EmailState = Notification.EmailState


@pytest.fixture
def overdue(pm: User, project: Project) -> Notification:
    return NotificationFactory(
        recipient=pm,
        project=project,
        kind=Notification.Kind.OVERDUE,
        title="Design review",
        link=f"/projects/{project.pk}/",
        data={"due": "2026-03-08", "side": "team", "tz": "America/New_York"},
    )


def test_a_server_that_refuses_twice_gets_the_mail_once_on_the_third_attempt(
    smtp: Handler, overdue: Notification
) -> None:
    smtp.refusals = 2
    send_notification_email.apply(args=[overdue.pk])  # eager: retries run at once
    overdue.refresh_from_db()
    assert len(smtp.received) == 1
    assert (overdue.email_state, overdue.email_attempts) == (EmailState.SENT, 3)
    assert overdue.emailed_at is not None


def test_a_refused_attempt_waits_and_records_the_error(
    smtp: Handler, overdue: Notification
) -> None:
    smtp.refusals = 1
    delay = notification_email_send(notification_id=overdue.pk)
    overdue.refresh_from_db()
    assert overdue.email_state == EmailState.PENDING
    assert "421" in overdue.email_last_error
    assert delay >= settings.NOTIFICATIONS_EMAIL_RETRY_BASE_SECONDS / 2
    assert overdue.email_due_at > timezone.now()
    assert smtp.received == []


def test_a_server_that_never_answers_costs_one_timeout_and_the_mail_is_not_lost(
    silent_server: None, settings: object, overdue: Notification
) -> None:
    started = time.monotonic()
    delay = notification_email_send(notification_id=overdue.pk)
    assert time.monotonic() - started < settings.EMAIL_TIMEOUT + 1
    overdue.refresh_from_db()
    assert delay is not None
    assert (overdue.email_state, overdue.email_attempts) == (EmailState.PENDING, 1)
    assert "timed out" in overdue.email_last_error
    # Should the retry message be lost, the sweep hands the row out again once it is late.
    assert outbox_sweep(now=timezone.now(), limit=10) == []
    later = overdue.email_due_at + datetime.timedelta(
        seconds=1 + settings.NOTIFICATIONS_OUTBOX_GRACE_SECONDS
    )
    assert outbox_sweep(now=later, limit=10) == [overdue.pk]


def test_attempts_stop_at_the_limit_and_the_row_says_why(
    silent_server: None, settings: object, overdue: Notification
) -> None:
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 2
    send_notification_email.apply(args=[overdue.pk])
    overdue.refresh_from_db()
    assert (overdue.email_state, overdue.email_attempts) == (EmailState.FAILED, 2)
    assert "timed out" in overdue.email_last_error


def test_a_permanent_refusal_is_not_retried(smtp: Handler, overdue: Notification) -> None:
    smtp.refusals, smtp.refusal = 1, "550 No such mailbox"
    assert notification_email_send(notification_id=overdue.pk) is None
    overdue.refresh_from_db()
    assert overdue.email_state == EmailState.FAILED
    assert "550" in overdue.email_last_error


def test_the_mail_has_text_and_html_parts_with_the_absolute_link(
    smtp: Handler, pm: User, overdue: Notification
) -> None:
    send_notification_email.apply(args=[overdue.pk])
    [message] = smtp.received
    assert message["To"] == pm.email
    assert message["Subject"] == "Overdue: Design review"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    url = f"{settings.SITE_URL}{overdue.link}"
    assert url in text
    assert f'href="{url}"' in html
    assert "Was due on March 8, 2026. Waiting on the team." in text


def test_the_mail_speaks_the_recipients_language(smtp: Handler, overdue: Notification) -> None:
    User.objects.filter(pk=overdue.recipient_id).update(language="zh-hans")
    send_notification_email.apply(args=[overdue.pk])
    [message] = smtp.received
    html = message.get_body(preferencelist=("html",)).get_content()
    assert 'lang="zh-hans"' in html
    assert "2026年3月8日" in message.get_body(preferencelist=("plain",)).get_content()


def test_a_stored_language_we_do_not_offer_gets_the_site_s_language(
    smtp: Handler, overdue: Notification
) -> None:
    """Not French dates around English sentences: the whole mail in LANGUAGE_CODE."""
    User.objects.filter(pk=overdue.recipient_id).update(language="fr")
    send_notification_email.apply(args=[overdue.pk])
    [message] = smtp.received
    assert 'lang="en"' in message.get_body(preferencelist=("html",)).get_content()
    assert "Was due on March 8, 2026." in message.get_body(preferencelist=("plain",)).get_content()


def test_a_sent_mail_is_never_sent_again(smtp: Handler, overdue: Notification) -> None:
    send_notification_email.apply(args=[overdue.pk])
    send_notification_email.apply(args=[overdue.pk])  # a redelivered message
    assert len(smtp.received) == 1
    # …nor by the sweep, however late it runs.
    assert outbox_sweep(now=timezone.now() + datetime.timedelta(days=1), limit=10) == []


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_it_expires(
    smtp: Handler, overdue: Notification
) -> None:
    claimed = timezone.now()
    Notification.objects.filter(pk=overdue.pk).update(
        email_state=EmailState.SENDING, email_claimed_at=claimed, email_attempts=1
    )
    send_notification_email.apply(args=[overdue.pk])
    assert smtp.received == []  # the worker holding it may still be sending
    expired = claimed + datetime.timedelta(
        seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS + 1
    )
    with time_machine.travel(expired, tick=False):
        assert outbox_sweep(now=timezone.now(), limit=10) == [overdue.pk]
        send_notification_email.apply(args=[overdue.pk])
    assert len(smtp.received) == 1


def test_in_app_only_notifications_are_never_mailed(smtp: Handler, overdue: Notification) -> None:
    Notification.objects.filter(pk=overdue.pk).update(email_state=EmailState.SKIPPED)
    send_notification_email.apply(args=[overdue.pk])
    assert smtp.received == []


def test_nothing_is_mailed_before_an_invitation_is_accepted(
    smtp: Handler, overdue: Notification
) -> None:
    invitee = overdue.recipient
    invitee.set_unusable_password()  # as contact_invite leaves a new contact
    invitee.save()
    send_notification_email.apply(args=[overdue.pk])
    overdue.refresh_from_db()
    assert smtp.received == []
    assert overdue.email_state == EmailState.SKIPPED


def test_admin_sends_failed_mails_again_but_never_sent_ones(
    smtp: Handler, eager: None, pm: User, overdue: Notification, django_capture_on_commit_callbacks
) -> None:
    Notification.objects.filter(pk=overdue.pk).update(
        email_state=EmailState.FAILED, email_attempts=8, email_last_error="timed out"
    )
    sent = NotificationFactory(recipient=pm, email_state=EmailState.SENT)
    request = RequestFactory().post("/admin/")
    request.user, request._messages = pm, _Messages()
    admin = NotificationAdmin(Notification, site)
    with django_capture_on_commit_callbacks(execute=True):
        admin.send_again(request, Notification.objects.filter(pk__in=[overdue.pk, sent.pk]))
    overdue.refresh_from_db()
    assert (overdue.email_state, overdue.email_attempts) == (EmailState.SENT, 1)
    assert len(smtp.received) == 1
    assert smtp.received[0]["To"] == pm.email


class _Messages(list):
    def add(self, level: int, message: str, extra_tags: str = "") -> None:
        self.append(message)


def test_notify_records_once_per_recipient_and_mails_after_commit(
    pm: User, member: User, django_capture_on_commit_callbacks
) -> None:
    fields = {"kind": Notification.Kind.FEEDBACK, "title": "Feedback", "dedupe_key": "card:1"}
    with django_capture_on_commit_callbacks() as callbacks:
        assert notify(recipient_ids=[pm.pk, member.pk, pm.pk], **fields) == 2
        assert notify(recipient_ids=[pm.pk], **fields) == 0
    assert Notification.objects.count() == 2
    assert len(callbacks) == 1


def test_notify_skips_inactive_users(pm: User) -> None:
    pm.is_active = False
    pm.save()
    assert notify(recipient_ids=[pm.pk], kind="feedback", title="x", dedupe_key="k") == 0


def test_retry_delays_grow_with_jitter_and_stay_below_the_ceiling(settings: object) -> None:
    delays = [retry_delay(attempts=n) for n in range(1, 12) for _ in range(20)]
    assert max(delays) <= settings.NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS
    assert settings.NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS < settings.REDIS_VISIBILITY_TIMEOUT
    first = {retry_delay(attempts=1) for _ in range(20)}
    assert len(first) > 1  # jittered
    assert all(15 <= delay <= 30 for delay in first)
    assert min(retry_delay(attempts=5) for _ in range(20)) >= 240


def test_settings_refuse_a_retry_longer_than_the_visibility_timeout() -> None:
    result = manage("check", env=PRODUCTION | {"NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS": "7200"})
    assert result.returncode != 0
    assert "below REDIS_VISIBILITY_TIMEOUT" in result.stderr


def test_a_mail_sent_again_after_a_worker_died_is_the_same_message_for_mail_clients(
    smtp: Handler, settings: object, overdue: Notification
) -> None:
    settings.SITE_URL = "https://progress.example.com:8443"
    send_notification_email.apply(args=[overdue.pk])
    # The worker died after the server accepted the mail, before it recorded so.
    claimed = timezone.now()
    Notification.objects.filter(pk=overdue.pk).update(
        email_state=EmailState.SENDING, email_claimed_at=claimed
    )
    later = claimed + datetime.timedelta(
        seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS + 1
    )
    with time_machine.travel(later, tick=False):
        assert outbox_sweep(now=timezone.now(), limit=10) == [overdue.pk]
        send_notification_email.apply(args=[overdue.pk])
    first, again = smtp.received
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] == f"<notification.{overdue.pk}@progress.example.com>"


def test_a_subject_is_one_line_of_plain_text(smtp: Handler, overdue: Notification) -> None:
    Notification.objects.filter(pk=overdue.pk).update(title="R&D <review>\n  of\tthe spec")
    send_notification_email.apply(args=[overdue.pk])
    [message] = smtp.received
    assert message["Subject"] == "Overdue: R&D <review> of the spec"


def test_a_mail_that_cannot_be_written_fails_at_once_and_says_why(
    smtp: Handler, overdue: Notification
) -> None:
    User.objects.filter(pk=overdue.recipient_id).update(email="pm@example.com\nBcc: x@evil.example")
    assert notification_email_send(notification_id=overdue.pk) is None
    overdue.refresh_from_db()
    assert (overdue.email_state, overdue.email_attempts) == (EmailState.FAILED, 1)
    assert "ValueError" in overdue.email_last_error
    assert smtp.received == []
