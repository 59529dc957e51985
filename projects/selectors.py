import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientprogress.access import visible_projects
from milestones.models import Milestone, Phase
from milestones.selectors import project_phases, project_timeline

from .models import Client, Project, TaskCard, User

HEALTH_LABELS = {"on_track": _("On track"), "at_risk": _("At risk"), "late": _("Late")}


def client_today(client: Client) -> datetime.date:
    """Due dates end at midnight in the client's own time zone."""
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(client.time_zone))


def project_health(*, late_milestones: int, overdue_cards: int, open_cards: int) -> str:
    """Late: a milestone is past its due date unapproved, or a quarter or more of the open
    cards are overdue. At risk: anything at all is overdue. On track otherwise."""
    if late_milestones or (open_cards and overdue_cards * 4 >= open_cards):
        return "late"
    if overdue_cards:
        return "at_risk"
    return "on_track"


def _open_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(phase__project=OuterRef("pk")).exclude(
        status=Milestone.Status.APPROVED
    )


def _count(queryset: QuerySet) -> Coalesce:
    counted = queryset.order_by().values("phase__project").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _before_client_today(today: dict[str, datetime.date], *, zone: str, due: str) -> Q:
    """Due (the `due` field) before today in the client's time zone (the `zone` field)."""
    before = Q()
    for name, day in today.items():
        before |= Q(**{zone: name, f"{due}__lt": day})
    return before


def project_rows(projects: QuerySet[Project]) -> list:
    """Projects with what a list shows about each, in a fixed number of queries. Overdue and
    late count from each client's own date, as on the board and in the portal."""
    zones = Client.objects.order_by().values_list("time_zone", flat=True).distinct()
    today = {zone: timezone.localdate(timezone=zoneinfo.ZoneInfo(zone)) for zone in zones}
    if not today:
        return []  # no client, so no project
    overdue = _before_client_today(today, zone="client__time_zone", due="cards__due_date")
    late = _before_client_today(today, zone="phase__project__client__time_zone", due="due_date")
    open_cards = ~Q(cards__status=TaskCard.Status.DONE)
    next_milestone = _open_milestones().order_by("due_date", "pk")
    current_phase = _open_milestones().order_by("phase__order", "due_date")
    rows = list(
        projects.select_related("client", "pm")
        .annotate(
            cards_total=Count("cards"),
            cards_done=Count("cards", filter=Q(cards__status=TaskCard.Status.DONE)),
            overdue_count=Count("cards", filter=open_cards & overdue),
            waiting_on_client=Count(
                "cards", filter=open_cards & Q(cards__responsible=TaskCard.Responsible.CLIENT)
            ),
            next_milestone_title=Subquery(next_milestone.values("title")[:1]),
            next_milestone_due=Subquery(next_milestone.values("due_date")[:1]),
            current_phase_kind=Subquery(current_phase.values("phase__kind")[:1]),
            has_milestones=Exists(Milestone.objects.filter(phase__project=OuterRef("pk"))),
            late_milestones=_count(_open_milestones().filter(late)),
        )
        .order_by("client__name", "name")
    )
    labels = dict(Phase.Kind.choices)
    for project in rows:
        project.progress = (
            round(100 * project.cards_done / project.cards_total) if project.cards_total else 0
        )
        # No open milestone: all approved (the last phase) or none planned yet (the first).
        fallback = Phase.Kind.ACCEPTANCE if project.has_milestones else Phase.Kind.REQUIREMENTS
        project.current_phase_label = labels[project.current_phase_kind or fallback]
        project.next_milestone_late = bool(
            project.next_milestone_due and project.next_milestone_due < client_today(project.client)
        )
        project.health = project_health(
            late_milestones=project.late_milestones,
            overdue_cards=project.overdue_count,
            open_cards=project.cards_total - project.cards_done,
        )
        project.health_label = HEALTH_LABELS[project.health]
    return rows


def can_plan(*, user: User, project: Project) -> bool:
    """Project details, phases, milestones and their files are the PM's (and managers');
    the rest of the team works on the board."""
    return user.sees_all_projects or project.pm_id == user.pk


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


def project_people(*, project: Project) -> list[User]:
    """Who cards can be assigned to: the PM and the team."""
    team = Project.team.through.objects.filter(project=project).values("user_id")
    return list(User.objects.filter(Q(pk=project.pm_id) | Q(pk__in=team)).order_by("full_name"))


@dataclass(frozen=True)
class BoardFilters:
    assignee_id: int | None = None
    milestone_id: int | None = None
    responsible: str = ""
    late: bool = False

    def key(self) -> str:
        return f"{self.assignee_id}:{self.milestone_id}:{self.responsible}:{int(self.late)}"


@dataclass
class BoardColumn:
    status: str
    label: str
    cards: list[dict] = field(default_factory=list)


BOARD_FIELDS = (
    "id",
    "title",
    "status",
    "due_date",
    "responsible",
    "blocked_reason",
    "client_visible",
    "version",
    "assignee__full_name",
    "assignee__email",
)


def _board_rows(cards: QuerySet[TaskCard], *, today: datetime.date) -> Iterator[dict]:
    """Plain rows with what a card on the board shows: no model instances to build."""
    for card in cards.values(*BOARD_FIELDS):
        card["late"] = bool(
            card["due_date"] and card["due_date"] < today and card["status"] != "done"
        )
        card["owed"] = card["responsible"] == TaskCard.Responsible.CLIENT
        card["assignee"] = card["assignee__full_name"] or card["assignee__email"]
        yield card


def board_card(*, card_id: int, today: datetime.date) -> dict:
    return next(_board_rows(TaskCard.objects.filter(pk=card_id), today=today))


def board_columns(
    *, project: Project, filters: BoardFilters, today: datetime.date
) -> list[BoardColumn]:
    """The board's five columns with their cards, as plain rows, in one query."""
    cards = project.cards.all()
    if filters.assignee_id:
        cards = cards.filter(assignee_id=filters.assignee_id)
    if filters.milestone_id:
        cards = cards.filter(milestone_id=filters.milestone_id)
    if filters.responsible:
        cards = cards.filter(responsible=filters.responsible)
    if filters.late:
        cards = cards.exclude(status=TaskCard.Status.DONE).filter(due_date__lt=today)
    columns = {status: BoardColumn(status, label) for status, label in TaskCard.Status.choices}
    for card in _board_rows(cards.order_by("status", "position", "pk"), today=today):
        columns[card["status"]].cards.append(card)
    return list(columns.values())


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
