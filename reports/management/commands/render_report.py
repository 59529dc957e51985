from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from projects.models import Project
from reports import services
from reports.models import StatusReport
from reports.periods import Week


class Command(BaseCommand):
    help = "Renders one project's status report to a PDF file (a finished week is also stored)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("project", help="Project id or code")
        parser.add_argument(
            "--week", help="ISO week YYYY-Www (default: the week under way for the client)"
        )
        parser.add_argument(
            "--audience",
            choices=StatusReport.Audience.values,
            default=StatusReport.Audience.INTERNAL,
        )
        parser.add_argument("-o", "--output", required=True, type=Path, help="PDF file to write")

    def handle(
        self,
        *args: object,
        project: str,
        week: str | None,
        audience: str,
        output: Path,
        **options: object,
    ) -> None:
        lookup = Q(code=project) | Q(pk=int(project)) if project.isdigit() else Q(code=project)
        found = Project.objects.select_related("client").filter(lookup).first()
        if not found:
            raise CommandError(f"No project with id or code {project!r}.")
        try:
            period = Week.parse(week) if week else Week.current(time_zone=found.client.time_zone)
            report, pdf = services.report_render_now(project=found, week=period, audience=audience)
        except ValueError as error:
            raise CommandError(str(error)) from error
        output.write_bytes(pdf)
        stored = f" (stored as report {report.pk})" if report else ""
        self.stdout.write(self.style.SUCCESS(f"{output}: {len(pdf):,} bytes{stored}"))
