"""With the broker down, requests that send mail still answer at once and lose nothing: their
outbox rows wait until the broker is back and the sweeps hand them to a worker."""

import datetime
import re
import time

from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from clientprogress.celery import app
from notifications.models import AccountMail, Notification
from notifications.tasks import sweep_outbox
from projects.models import Project, User
from reports.models import StatusReport
from reports.tasks import sweep_lost_messages
from tests.mail_support import OwnRedis
from tests.support import RunningWorker, client_for

# The publish gives up in well under a second; without the fix a request waited ~19 s.
PROMPT = 2.0


def timed_post(http: HttpClient, url: str, data: dict) -> tuple[HttpResponse, float]:
    started = time.monotonic()
    response = http.post(url, data)
    return response, time.monotonic() - started


def as_if_long_ago() -> None:
    """Moves every waiting row's time back past the sweeps' grace periods."""
    past = timezone.now() - datetime.timedelta(
        seconds=settings.NOTIFICATIONS_OUTBOX_GRACE_SECONDS + 60
    )
    AccountMail.objects.update(email_due_at=past)
    Notification.objects.update(email_due_at=past)
    StatusReport.objects.update(enqueued_at=past)


def test_mail_asked_for_while_the_broker_is_down_answers_at_once_and_leaves_once_it_is_back(
    transactional_db: None,
    own_broker: OwnRedis,
    anonymous: HttpClient,
    pm: User,
    project: Project,
    client_contact: User,
    mailoutbox: list,
) -> None:
    own_broker.stop()

    asks = {
        "reset": timed_post(anonymous, reverse("password_reset"), {"email": pm.email}),
        "invitation": timed_post(
            client_for(pm),
            reverse("invitation_send", args=[project.pk]),
            {"full_name": "Carol Client", "email": "carol@acme.example"},
        ),
        "report": timed_post(
            client_for(pm), reverse("reports:project", args=[project.pk]), {"audience": "client"}
        ),
        "feedback": timed_post(
            client_for(client_contact),
            reverse("portal:feedback", args=[project.pk]),
            {"text": "The logo is too small"},
        ),
    }
    for name, (response, seconds) in asks.items():
        assert response.status_code == 302, name
        assert seconds < PROMPT, f"{name} took {seconds:.1f} s"
    assert sorted(AccountMail.objects.values_list("kind", "to", "email_state")) == [
        ("invitation", "carol@acme.example", "pending"),
        ("password_reset", pm.email, "pending"),
    ]
    assert StatusReport.objects.get().state == StatusReport.State.QUEUED
    assert Notification.objects.get().email_state == Notification.EmailState.PENDING
    assert mailoutbox == []

    own_broker.start()
    as_if_long_ago()
    assert sweep_outbox() == 3  # the feedback's notification and the two account mails
    assert sweep_lost_messages() == 1
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # The report, once rendered, tells the PM in a notification mail of its own.
        RunningWorker(app).wait_for(lambda: len(mailoutbox) >= 4, timeout=60)

    by_subject = {message.subject: message for message in mailoutbox}
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [pm.email, "carol@acme.example", pm.email, pm.email]
    )
    reset = by_subject["Reset your Client Progress password"]
    assert re.search(rf"{re.escape(settings.SITE_URL)}/accounts/reset/\S+", reset.body)
    invitation = by_subject[f"You are invited to follow {project.name} in Client Progress"]
    assert f"{settings.SITE_URL}/invitation/" in invitation.body
    assert any("Status report" in subject for subject in by_subject)
    assert StatusReport.objects.get().state == StatusReport.State.READY
    assert set(AccountMail.objects.values_list("email_state", flat=True)) == {"sent"}
