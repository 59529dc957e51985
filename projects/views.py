from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientprogress.access import internal_only, project_for_user, visible_projects
from milestones.selectors import project_phases, project_timeline

from .selectors import project_rows


@require_GET
@internal_only
def project_list(request: HttpRequest) -> HttpResponse:
    rows = project_rows(visible_projects(request.user))
    return render(request, "projects/project_list.html", {"projects": rows})


@require_GET
@internal_only
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    phases = project_phases(project=project)
    context = {
        "project": project,
        "phases": phases,
        "timeline": project_timeline(project=project, phases=phases, today=timezone.localdate()),
        "activities": list(project.activities.select_related("actor")[:50]),
    }
    return render(request, "projects/project_detail.html", context)
