"""The report panels are included in the project pages, which know nothing about reports:
these tags fetch what the panels show (one query each)."""

from django import template

from clientprogress.access import can_plan
from projects.models import Project
from reports.forms import GenerateReportForm
from reports.models import StatusReport
from reports.selectors import project_reports

register = template.Library()


@register.simple_tag(takes_context=True)
def report_panel(context: template.Context, project: Project) -> dict[str, object]:
    reports = project_reports(project=project)
    may_publish = can_plan(user=context["request"].user, project=project)
    return {
        "reports": reports,
        "polling": any(report.pending and not report.stalled for report in reports),
        "form": context.get("report_form") or GenerateReportForm(may_publish=may_publish),
    }


@register.simple_tag
def client_reports(project: Project) -> list[StatusReport]:
    return project_reports(project=project, audience=StatusReport.Audience.CLIENT, limit=20)
