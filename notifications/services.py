from collections.abc import Iterable

from django.db import transaction

from .models import Notification


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
    """Records one notification per recipient, at most once per (recipient, dedupe_key), in the
    caller's transaction. Returns how many are new. Other apps call this with plain data."""
    rows = [
        Notification(
            recipient_id=recipient_id,
            kind=kind,
            project_id=project_id,
            target=target,
            title=title,
            text=text,
            link=link,
            dedupe_key=dedupe_key,
        )
        for recipient_id in set(recipient_ids)
    ]
    before = Notification.objects.filter(dedupe_key=dedupe_key).count()
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    created = Notification.objects.filter(dedupe_key=dedupe_key).count() - before
    transaction.on_commit(_deliver_later)
    return created


def _deliver_later() -> None:
    """Mail delivery of the outbox rows; the notifications issue fills this in."""
