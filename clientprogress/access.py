"""One access helper per kind of object. Anyone outside the project gets 404, never 403,
so an outsider cannot even learn that an object exists."""

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from milestones.models import (
    AcceptanceCriterion,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Phase,
    SignOff,
)
from milestones.selectors import client_may_download, signed_files
from projects.models import Project, TaskCard, User
from projects.selectors import visible_projects


def can_plan(*, user: User, project: Project) -> bool:
    """Project details, phases, milestones and their files are the PM's (and managers');
    the rest of the team works on the board."""
    return user.sees_all_projects or project.pm_id == user.pk


def require_planner(request: HttpRequest, project: Project) -> None:
    """Team members on the project see the plan but only the PM and managers change it."""
    if not can_plan(user=request.user, project=project):
        raise PermissionDenied(_("Only the project manager can change this."))


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
    projects = _workspace_projects(request)
    return get_object_or_404(projects.select_related("client", "pm"), pk=project_id)


# visible_projects' rule for internal users, written out for the board's hot path: the ORM
# takes longer to build this statement than the database takes to answer it. A test holds
# the two to the same answers.
BOARD_VERSION_SQL = """
    SELECT p.board_version, c.time_zone
    FROM projects_project p JOIN projects_client c ON c.id = p.client_id
    WHERE p.id = %s AND (%s OR p.pm_id = %s OR EXISTS (
        SELECT 1 FROM projects_project_team t WHERE t.project_id = p.id AND t.user_id = %s
    ))
"""


def board_version_for_user(request: HttpRequest, project_id: int) -> tuple[int, str]:
    """The board version of a project of the PM workspace and its client's time zone: all a
    cached board page needs to know that it is still the board. 404 like project_for_user."""
    user = request.user
    if not user.is_authenticated or user.is_client or not user.is_active:
        raise Http404
    with connection.cursor() as cursor:
        cursor.execute(BOARD_VERSION_SQL, [project_id, user.sees_all_projects, user.pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise Http404
    return row


def portal_project_for_user(request: HttpRequest, project_id: int) -> Project:
    """A project as the client sees it: only the contact's own organisation's."""
    projects = _portal_projects(request)
    return get_object_or_404(projects.select_related("client", "pm"), pk=project_id)


def _object_in_projects(
    projects: QuerySet[Project],
    model: type[Model],
    pk: int,
    project_path: str,
    *,
    manager: str = "objects",
    **filters: object,
) -> Model:
    queryset = getattr(model, manager).filter(**{f"{project_path}__in": projects}, **filters)
    return get_object_or_404(queryset.select_related(project_path), pk=pk)


def _workspace_projects(request: HttpRequest) -> QuerySet[Project]:
    if not request.user.is_authenticated or request.user.is_client:
        raise Http404
    return visible_projects(request.user)


def _portal_projects(request: HttpRequest) -> QuerySet[Project]:
    if not request.user.is_authenticated or not request.user.is_client:
        raise Http404
    return visible_projects(request.user)


def card_for_user(request: HttpRequest, card_id: int) -> TaskCard:
    return _object_in_projects(_workspace_projects(request), TaskCard, card_id, "project")


def archived_card_for_user(request: HttpRequest, card_id: int) -> TaskCard:
    """An archived card of the workspace, for its undo; 404 like card_for_user."""
    projects = _workspace_projects(request)
    return _object_in_projects(
        projects, TaskCard, card_id, "project", manager="with_archived", archived_at__isnull=False
    )


def phase_for_user(request: HttpRequest, phase_id: int) -> Phase:
    return _object_in_projects(_workspace_projects(request), Phase, phase_id, "project")


def milestone_for_user(request: HttpRequest, milestone_id: int) -> Milestone:
    projects = _workspace_projects(request)
    return _object_in_projects(projects, Milestone, milestone_id, "phase__project")


def criterion_for_user(request: HttpRequest, criterion_id: int) -> AcceptanceCriterion:
    projects = _workspace_projects(request)
    return _object_in_projects(
        projects, AcceptanceCriterion, criterion_id, "milestone__phase__project"
    )


def deliverable_for_user(request: HttpRequest, deliverable_id: int) -> Deliverable:
    projects = _workspace_projects(request)
    return _object_in_projects(projects, Deliverable, deliverable_id, "milestone__phase__project")


def deleted_criterion_for_user(request: HttpRequest, criterion_id: int) -> AcceptanceCriterion:
    """A deleted criterion not yet purged, for its undo; 404 like criterion_for_user."""
    projects = _workspace_projects(request)
    path = "milestone__phase__project"
    return _object_in_projects(
        projects,
        AcceptanceCriterion,
        criterion_id,
        path,
        manager="with_deleted",
        deleted_at__isnull=False,
    )


def deleted_deliverable_for_user(request: HttpRequest, deliverable_id: int) -> Deliverable:
    projects = _workspace_projects(request)
    path = "milestone__phase__project"
    return _object_in_projects(
        projects,
        Deliverable,
        deliverable_id,
        path,
        manager="with_deleted",
        deleted_at__isnull=False,
    )


def version_for_user(request: HttpRequest, version_id: int) -> DeliverableVersion:
    projects = _workspace_projects(request)
    path = "deliverable__milestone__phase__project"
    return _object_in_projects(projects, DeliverableVersion, version_id, path)


def portal_card_for_user(request: HttpRequest, card_id: int) -> TaskCard:
    """Only cards shown to the client exist in the portal."""
    projects = _portal_projects(request)
    return _object_in_projects(projects, TaskCard, card_id, "project", client_visible=True)


def portal_milestone_for_user(request: HttpRequest, milestone_id: int) -> Milestone:
    projects = _portal_projects(request)
    return _object_in_projects(projects, Milestone, milestone_id, "phase__project")


def portal_version_for_user(request: HttpRequest, version_id: int) -> DeliverableVersion:
    """A file the client was given (milestones.selectors.client_may_download); a draft answers
    404 like anything outside their organisation."""
    projects = _portal_projects(request)
    path = "deliverable__milestone__phase__project"
    version = _object_in_projects(projects, DeliverableVersion, version_id, path)
    milestone = version.deliverable.milestone
    newest = not version.deliverable.versions.filter(number__gt=version.number).exists()
    signed = signed_files(milestone.signoffs.only("manifest"))
    if not client_may_download(
        version=version, newest=newest, status=milestone.status, signed=signed
    ):
        raise Http404
    return version


def signoff_for_user(request: HttpRequest, signoff_id: int) -> SignOff:
    """A sign-off record is evidence for both sides: the project's team and the client."""
    if not request.user.is_authenticated:
        raise Http404
    return _object_in_projects(
        visible_projects(request.user), SignOff, signoff_id, "milestone__phase__project"
    )
