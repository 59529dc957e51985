"""The outbox with a real worker on the configured broker (Redis when REDIS_URL is set)."""

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from notifications.models import Notification
from notifications.services import notify
from projects.models import User


class RolledBack(Exception):
    pass


def test_a_committed_event_is_mailed_by_the_worker_and_a_rolled_back_one_never(
    celery_worker, pm: User, member: User
) -> None:
    mail.outbox = []
    with pytest.raises(RolledBack), transaction.atomic():
        notify(recipient_ids=[member.pk], kind="feedback", title="Undone", dedupe_key="undone")
        raise RolledBack
    with transaction.atomic():
        notify(
            recipient_ids=[pm.pk],
            kind="feedback",
            title="Feedback arrived",
            dedupe_key="feedback:1",
            link="/projects/1/",
        )
    # The worker takes messages in order: once the committed mail is out, anything the
    # rolled-back event had enqueued would have been handled before it.
    celery_worker.wait_for(lambda: len(mail.outbox) >= 1)
    celery_worker.wait_for(
        lambda: Notification.objects.filter(email_state=Notification.EmailState.SENT).exists()
    )
    assert [message.to for message in mail.outbox] == [[pm.email]]
    assert mail.outbox[0].subject == "Client feedback: Feedback arrived"
    assert list(Notification.objects.values_list("title", "email_state")) == [
        ("Feedback arrived", "sent")
    ]


def test_beat_runs_the_check_and_the_outbox_sweep_on_their_configured_periods() -> None:
    from clientprogress.celery import app

    schedule = app.conf.beat_schedule
    assert schedule["overdue-check"]["task"] == "notifications.tasks.check_overdue"
    assert schedule["overdue-check"]["schedule"] == settings.NOTIFICATIONS_CHECK_EVERY_MINUTES * 60
    assert schedule["notification-outbox-sweep"]["task"] == "notifications.tasks.sweep_outbox"
    if settings.REDIS_URL:
        options = app.conf.broker_transport_options
        assert options["visibility_timeout"] == settings.REDIS_VISIBILITY_TIMEOUT
