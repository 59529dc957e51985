import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from milestones.models import Milestone, Phase

from .models import Project, TaskCard

HEALTH_LABELS = {"on_track": _("On track"), "at_risk": _("At risk"), "late": _("Late")}


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


def project_rows(projects: QuerySet[Project], *, today: datetime.date | None = None) -> list:
    """Projects with what a list shows about each, in a fixed number of queries."""
    today = today or timezone.localdate()
    open_cards = ~Q(cards__status=TaskCard.Status.DONE)
    next_milestone = _open_milestones().order_by("due_date", "pk")
    current_phase = _open_milestones().order_by("phase__order", "due_date")
    rows = list(
        projects.select_related("client", "pm")
        .annotate(
            cards_total=Count("cards"),
            cards_done=Count("cards", filter=Q(cards__status=TaskCard.Status.DONE)),
            overdue_count=Count("cards", filter=open_cards & Q(cards__due_date__lt=today)),
            waiting_on_client=Count(
                "cards", filter=open_cards & Q(cards__responsible=TaskCard.Responsible.CLIENT)
            ),
            next_milestone_title=Subquery(next_milestone.values("title")[:1]),
            next_milestone_due=Subquery(next_milestone.values("due_date")[:1]),
            current_phase_kind=Subquery(current_phase.values("phase__kind")[:1]),
            has_milestones=Exists(Milestone.objects.filter(phase__project=OuterRef("pk"))),
            late_milestones=_count(_open_milestones().filter(due_date__lt=today)),
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
            project.next_milestone_due and project.next_milestone_due < today
        )
        project.health = project_health(
            late_milestones=project.late_milestones,
            overdue_cards=project.overdue_count,
            open_cards=project.cards_total - project.cards_done,
        )
        project.health_label = HEALTH_LABELS[project.health]
    return rows
