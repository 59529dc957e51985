"""The workspace's project pages: the list, a project's page, creating and editing one."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientprogress.access import (
    can_plan,
    internal_only,
    project_for_user,
    require_planner,
)
from clientprogress.pages import form_status, render_form, render_page
from milestones import services as plan
from projects.models import Client, User
from projects.selectors import local_today, visible_projects
from projects.services import project_update

from .forms import ProjectFilterForm, ProjectForm
from .selectors import project_list_rows, project_page


@require_GET
@internal_only
def project_list(request: HttpRequest) -> HttpResponse:
    clients = list(Client.objects.filter(projects__in=visible_projects(request.user)).distinct())
    form = ProjectFilterForm(request.GET, clients=clients)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = project_list_rows(
        user=request.user,
        client_id=filters["client"].pk if filters.get("client") else None,
        status=filters.get("status", ""),
        mine=filters.get("mine", False),
        late=filters.get("late", False),
    )
    can_create = request.user.sees_all_projects or request.user.role == User.Role.PM
    context = {"projects": rows, "form": form, "can_create": can_create}
    return render_page(request, "projects/project_list.html", context, "rows")


@require_http_methods(["GET", "POST"])
@internal_only
def project_create(request: HttpRequest) -> HttpResponse:
    if not (request.user.sees_all_projects or request.user.role == User.Role.PM):
        raise PermissionDenied(_("Only project managers create projects."))
    form = ProjectForm(request.POST or None, initial={"pm": request.user})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team = list(data.pop("team"))
        project = plan.project_create(actor=request.user, team=team, **data)
        messages.success(request, _("Project created with its four phases."))
        return redirect("projects:detail", project.pk)
    back = reverse("projects:list")
    return render_form(request, form, title=_("New project"), back=back, status=form_status(form))


@require_http_methods(["GET", "POST"])
@internal_only
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    require_planner(request, project)
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        team = list(data.pop("team"))
        project_update(actor=request.user, project=project, changes=data, team=team)
        messages.success(request, _("Project saved."))
        return redirect("projects:detail", project.pk)
    back = reverse("projects:detail", args=[project.pk])
    title = _("Edit %(name)s") % {"name": project.name}
    return render_form(request, form, title=title, back=back, status=form_status(form))


@require_GET
@internal_only
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    context = project_page(project=project, today=local_today(project.client.time_zone))
    context["can_plan"] = can_plan(user=request.user, project=project)
    return render_page(request, "projects/project_detail.html", context, "plan")
