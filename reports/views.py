from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET, require_http_methods

from clientprogress.access import (
    can_plan,
    client_only,
    internal_only,
    portal_project_for_user,
    project_for_user,
    require_planner,
    visible_projects,
)
from clientprogress.files import download_response
from clientprogress.pages import render_page, wants_partial
from projects.models import Project

from . import selectors, services
from .forms import GenerateReportForm
from .models import StatusReport


@require_GET
@internal_only
def archive(request: HttpRequest) -> HttpResponse:
    projects = list(visible_projects(request.user).select_related("client").order_by("name"))
    chosen = next((p for p in projects if str(p.pk) == request.GET.get("project")), None)
    reports = selectors.ready_reports(projects=[chosen] if chosen else projects)
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    context = {"projects": projects, "chosen": chosen, "page": page, "reports": list(page)}
    return render_page(request, "reports/archive.html", context, "report-list")


@require_http_methods(["GET", "POST"])
@internal_only
def project_reports(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's reports panel; a POST asks for a new report of the week under way."""
    project = project_for_user(request, project_id)
    if request.method == "GET":
        return _panel(request, project)
    if request.POST.get("audience") == StatusReport.Audience.CLIENT:
        # The client version is published in the client's portal as soon as it is ready.
        require_planner(request, project)
    form = GenerateReportForm(
        request.POST, may_publish=can_plan(user=request.user, project=project)
    )
    if not form.is_valid():
        return _panel(request, project, form=form, status=400)
    services.report_request(
        project=project, audience=form.cleaned_data["audience"], actor=request.user
    )
    if wants_partial(request):
        return _panel(request, project)
    return redirect("projects:detail", project_id=project.pk)


def _panel(
    request: HttpRequest,
    project: Project,
    *,
    form: GenerateReportForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The reports panel: swapped in place by htmx, a page of its own without JavaScript."""
    context = {"project": project, "report_form": form}
    return render_page(request, "reports/project_reports.html", context, "panel", status)


@require_GET
@internal_only
def download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _ready_report(report_id)
    project_for_user(request, report.project_id)
    return download_response(report.file, filename=report.filename, content_type="application/pdf")


@require_GET
@client_only
def portal_download(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _ready_report(report_id, audience=StatusReport.Audience.CLIENT)
    portal_project_for_user(request, report.project_id)
    return download_response(report.file, filename=report.filename, content_type="application/pdf")


def _ready_report(report_id: int, **filters: str) -> StatusReport:
    """A report that can be downloaded; the caller checks access to its project (404)."""
    reports = StatusReport.objects.select_related("project")
    return get_object_or_404(reports, pk=report_id, state=StatusReport.State.READY, **filters)
