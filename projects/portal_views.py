from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from clientprogress.access import client_only, portal_project_for_user, visible_projects
from milestones.selectors import project_phases, project_timeline

from .selectors import project_rows


@require_GET
@client_only
def portal_home(request: HttpRequest) -> HttpResponse:
    rows = project_rows(visible_projects(request.user))
    return render(request, "portal/home.html", {"projects": rows})


@require_GET
@client_only
def portal_project(request: HttpRequest, project_id: int) -> HttpResponse:
    project = portal_project_for_user(request, project_id)
    phases = project_phases(project=project)
    context = {
        "project": project,
        "phases": phases,
        "timeline": project_timeline(project=project, phases=phases, today=timezone.localdate()),
        "activities": list(project.activities.filter(client_visible=True)[:50]),
    }
    return render(request, "portal/project.html", context)
