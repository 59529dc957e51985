"""What the workspace's project list and project page show."""

import datetime

from django.db.models import Q

from milestones.selectors import project_phases, project_rows, project_timeline
from projects.models import Project, User
from projects.selectors import visible_projects


def project_list_rows(
    *, user: User, client_id: int | None, status: str, mine: bool, late: bool
) -> list:
    """The project list with its filters applied."""
    projects = visible_projects(user)
    if client_id:
        projects = projects.filter(client_id=client_id)
    if status:
        projects = projects.filter(status=status)
    if mine:
        team = Project.team.through.objects.filter(user=user).values("project_id")
        projects = projects.filter(Q(pm=user) | Q(id__in=team))
    rows = project_rows(projects)
    return [row for row in rows if row.health == "late"] if late else rows


def project_header(*, project: Project) -> Project:
    """The project with the figures of its list row (progress, health, counts)."""
    return project_rows(Project.objects.filter(pk=project.pk))[0]


def project_page(*, project: Project, today: datetime.date) -> dict:
    """Everything the project page shows, in a fixed number of queries."""
    phases = project_phases(project=project)
    return {
        "project": project,
        "header": project_header(project=project),
        "phases": phases,
        "timeline": project_timeline(project=project, phases=phases, today=today),
        "activities": list(project.activities.select_related("actor")[:50]),
        "today": today,
    }
