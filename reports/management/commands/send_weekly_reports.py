from django.core.management.base import BaseCommand, CommandError, CommandParser

from projects.models import Project, User
from reports import services
from reports.models import ReportDelivery
from reports.periods import Week


class Command(BaseCommand):
    help = (
        "Renders and mails the weekly status reports now, in this process (the Monday job does "
        "the same through the workers). Each recipient still gets one mail per week."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--week", help="ISO week YYYY-Www (default: last week)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List who would get which projects; change nothing",
        )

    def handle(self, *args: object, week: str | None, dry_run: bool, **options: object) -> None:
        try:
            period = Week.parse(week) if week else Week.last_complete()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if dry_run:
            self._plan(period)
            return
        run = services.weekly_run(
            week=period,
            render=lambda pk: services.weekly_project_render(project_id=pk, week=period),
            deliver=lambda pk: services.delivery_deliver(delivery_id=pk),
        )
        self.stdout.write(self.style.SUCCESS(f"Week {period}: {sum(run.delivered)} mail(s) sent."))
        if run.failures:
            self._report(run.failures)
            # After everything else went out: the exit status tells cron or the operator.
            raise CommandError(f"Week {period}: {len(run.failures)} step(s) failed.")

    def _report(self, failures: list[services.StepFailure]) -> None:
        projects = dict(Project.objects.values_list("pk", "code"))
        recipients = dict(
            ReportDelivery.objects.filter(pk__in=[f.pk for f in failures]).values_list(
                "pk", "recipient__email"
            )
        )
        for failure in failures:
            if failure.step == "project":
                what = f"project {projects.get(failure.pk, failure.pk)}"
            else:
                what = f"mail to {recipients.get(failure.pk, failure.pk)}"
            self.stderr.write(f"Failed: {what}: {failure.error}")

    def _plan(self, period: Week) -> None:
        plan = services.weekly_recipients()
        users = User.objects.in_bulk(plan)
        names = dict(Project.objects.values_list("pk", "code"))
        self.stdout.write(f"Week {period}: {len(plan)} recipient(s); nothing is sent.")
        for user_id, project_ids in plan.items():
            codes = ", ".join(names[pk] for pk in project_ids)
            self.stdout.write(f"  {users[user_id].email:<30} {codes}")
