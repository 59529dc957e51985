"""The report panels are included in the project pages, which know nothing about reports:
these tags fetch what the panels show (one query each)."""

from django import template

from projects.models import Project
from reports.forms import GenerateReportForm
from reports.models import StatusReport
from reports.selectors import project_reports

register = template.Library()


@register.simple_tag(takes_context=True)
def report_panel(context: template.Context, project: Project) -> dict[str, object]:
    reports = project_reports(project=project)
    return {
        "reports": reports,
        "polling": any(report.pending and not report.stalled for report in reports),
        "form": context.get("report_form") or GenerateReportForm(),
    }


@register.simple_tag
def client_reports(project: Project) -> list[StatusReport]:
    return project_reports(project=project, audience=StatusReport.Audience.CLIENT, limit=20)
