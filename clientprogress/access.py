"""One access helper per kind of object. Anyone outside the project gets 404, never 403,
so an outsider cannot even learn that an object exists."""

from collections.abc import Callable
from functools import wraps

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from projects.models import Project, User


def visible_projects(user: User) -> QuerySet[Project]:
    """The projects a user may see: all for managers, their own for PMs and team members,
    their organisation's for client contacts."""
    if not user.is_authenticated or not user.is_active:
        return Project.objects.none()
    if user.is_client:
        return Project.objects.filter(client__contacts__user=user)
    if user.sees_all_projects:
        return Project.objects.all()
    team = Project.team.through.objects.filter(user=user).values("project_id")
    return Project.objects.filter(Q(pm=user) | Q(id__in=team))


def internal_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The PM workspace does not exist for client contacts."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated or request.user.is_client:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def client_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The portal is the client contacts' own."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated or not request.user.is_client:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def project_for_user(request: HttpRequest, project_id: int) -> Project:
    """A project of the PM workspace: internal users on the project (or managers) only."""
    if request.user.is_client:
        raise Http404
    return get_object_or_404(
        visible_projects(request.user).select_related("client", "pm"), pk=project_id
    )


def portal_project_for_user(request: HttpRequest, project_id: int) -> Project:
    """A project as the client sees it: only the contact's own organisation's."""
    if not request.user.is_client:
        raise Http404
    return get_object_or_404(
        visible_projects(request.user).select_related("client", "pm"), pk=project_id
    )
