import datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from milestones.models import Milestone, Phase

from .models import Project, TaskCard


def _open_milestones() -> QuerySet[Milestone]:
    return Milestone.objects.filter(phase__project=OuterRef("pk")).exclude(
        status=Milestone.Status.APPROVED
    )


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
    return rows
