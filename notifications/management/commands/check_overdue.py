from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.overdue import overdue_check


class Command(BaseCommand):
    help = "Runs the overdue check now and lists the notifications it creates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what the check would create, and create nothing.",
        )

    def handle(self, *args: object, dry_run: bool, **options: object) -> None:
        with transaction.atomic():
            result = overdue_check(now=timezone.now())
            created = list(
                Notification.objects.filter(pk__in=result.created)
                .select_related("recipient")
                .order_by("kind", "dedupe_key", "recipient__email")
            )
            # Rolling back drops the rows and the mails waiting for the commit alike.
            transaction.set_rollback(dry_run)
        for notification in created:
            mail = (
                "e-mail"
                if notification.email_state == Notification.EmailState.PENDING
                else "in-app"
            )
            self.stdout.write(
                f"{notification.kind:<17} {notification.recipient.email:<32} {mail:<7} "
                f"{notification.title}  [{notification.dedupe_key}]"
            )
        verb = "would be created" if dry_run else "created"
        self.stdout.write(self.style.SUCCESS(f"{len(created)} notifications {verb}."))
