"""Reads of the projects domain: who sees which project, the client's day, the board."""

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Client, Project, TaskCard, User


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


def can_log_in() -> Q:
    """Accounts someone can log in to: active, with a password. An invited client contact has
    none until they accept the invitation and choose one (projects.portal.invitations), so this
    also tells an accepted invitation from one still open. Mail about projects goes to these
    accounts only: an address typed wrong must not receive a client's reports."""
    return Q(is_active=True) & ~Q(password__startswith=UNUSABLE_PASSWORD_PREFIX)


def local_today(time_zone: str, *, now: datetime.datetime | None = None) -> datetime.date:
    """The date in a time zone: a due date ends at midnight in the client's own zone."""
    return timezone.localdate(now, timezone=zoneinfo.ZoneInfo(time_zone))


def zones_today(
    zones: list[str], *, now: datetime.datetime | None = None
) -> dict[str, datetime.date]:
    """Each client time zone's date at one moment."""
    return {zone: local_today(zone, now=now) for zone in zones}


def client_zones() -> list[str]:
    """The time zones of all clients, each once."""
    return list(Client.objects.order_by().values_list("time_zone", flat=True).distinct())


def due_before_in_zone(
    days: dict[str, datetime.date],
    *,
    zone: str,
    due: str,
    not_before: dict[str, datetime.date] | None = None,
) -> Q:
    """Due (the `due` field) before the day given for the item's client's time zone (the `zone`
    field), and not before `not_before`'s day for that zone. Nothing matches without zones."""
    by_zone = Q(pk__in=[])
    for name, day in days.items():
        in_zone = Q(**{zone: name, f"{due}__lt": day})
        if not_before is not None:
            in_zone &= Q(**{f"{due}__gte": not_before[name]})
        by_zone |= in_zone
    return by_zone


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
