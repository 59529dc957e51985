"""What the portal shows: client-visible data only, each page in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from milestones.models import Deliverable, DeliverableVersion, Milestone, Phase, SignOff
from milestones.selectors import (
    Timeline,
    client_may_download,
    project_phases,
    project_rows,
    project_timeline,
    signed_files,
)
from milestones.signoff import (
    sha256_of,
    signoff_consent_text,
    signoff_manifest,
    signoff_milestone_shown,
)
from projects.models import Activity, Project, TaskCard
from projects.selectors import local_today


def _owed_open() -> Q:
    return Q(responsible=TaskCard.Responsible.CLIENT, client_visible=True) & ~Q(
        status=TaskCard.Status.DONE
    )


def portal_home_rows(projects: QuerySet[Project]) -> list[Project]:
    """The project list rows, with "waiting on you" counting only what the client can see."""
    rows = project_rows(projects)
    ids = [row.pk for row in rows]
    owed = dict(
        TaskCard.objects.filter(_owed_open(), project_id__in=ids)
        .values_list("project_id")
        .annotate(n=Count("pk"))
    )
    awaiting = dict(
        Milestone.objects.filter(
            phase__project_id__in=ids, status=Milestone.Status.AWAITING_SIGNOFF
        )
        .values_list("phase__project_id")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        row.waiting_on_client = owed.get(row.pk, 0)
        row.awaiting_signoff = awaiting.get(row.pk, 0)
    return rows


@dataclass
class OwedItem:
    card: TaskCard
    days_late: int


def portal_waiting(*, project: Project, today: datetime.date) -> list[OwedItem]:
    """What the client owes on the project, most overdue first."""
    cards = TaskCard.objects.filter(_owed_open(), project=project).select_related("milestone")
    return [
        OwedItem(card, max((today - card.due_date).days, 0) if card.due_date else 0)
        for card in cards.order_by("due_date", "pk")
    ]


def portal_feedback(*, project: Project) -> list[TaskCard]:
    cards = TaskCard.objects.filter(
        project=project, client_visible=True, source=TaskCard.Source.FEEDBACK
    )
    return list(cards.select_related("created_by", "milestone").order_by("-created_at", "-pk"))


@dataclass
class DeliverableRow:
    deliverable: Deliverable
    current: DeliverableVersion | None
    # The newest version the client may download (client_may_download): the current one once
    # the milestone is submitted, else the newest one a decision named; None before either.
    shown: DeliverableVersion | None
    # The milestone's latest decision when it is an approval whose manifest holds exactly the
    # shown file: after a change request nothing stands signed, whatever an earlier round
    # approved.
    signed_in: SignOff | None


@dataclass
class MilestoneRow:
    milestone: Milestone
    deliverables: list[DeliverableRow] = field(default_factory=list)
    signoffs: list[SignOff] = field(default_factory=list)


@dataclass
class PortalProject:
    phases: list[Phase]
    timeline: Timeline
    milestones: list[MilestoneRow]
    cards: list[TaskCard]
    waiting: list[OwedItem]
    feedback: list[TaskCard]
    activities: list[Activity]


def _milestone_rows(phases: list[Phase], project: Project) -> list[MilestoneRow]:
    rows = {m.pk: MilestoneRow(m) for phase in phases for m in phase.milestones.all()}
    signoffs = list(SignOff.objects.filter(milestone__phase__project=project).order_by("pk"))
    latest = {}
    for signoff in signoffs:
        rows[signoff.milestone_id].signoffs.append(signoff)
        latest[signoff.milestone_id] = signoff
    covered = {}
    for signoff in latest.values():
        if signoff.decision == SignOff.Decision.APPROVED:
            covered.update({(e["version_id"], e["sha256"]): signoff for e in signoff.manifest})
    signed = signed_files(signoffs)
    versions = DeliverableVersion.objects.order_by("-number")
    deliverables = Deliverable.objects.filter(milestone__phase__project=project).prefetch_related(
        Prefetch("versions", queryset=versions)
    )
    for deliverable in deliverables.order_by("title", "pk"):
        row = rows[deliverable.milestone_id]
        newest_first = list(deliverable.versions.all())
        shown = next(
            (
                version
                for index, version in enumerate(newest_first)
                if client_may_download(
                    version=version, newest=index == 0, status=row.milestone.status, signed=signed
                )
            ),
            None,
        )
        signed_in = covered.get((shown.pk, shown.sha256)) if shown else None
        current = newest_first[0] if newest_first else None
        row.deliverables.append(DeliverableRow(deliverable, current, shown, signed_in))
    return list(rows.values())


def portal_project_page(*, project: Project) -> PortalProject:
    """Everything the portal's project page shows, none of it internal."""
    today = local_today(project.client.time_zone)
    phases = project_phases(project=project)
    cards = TaskCard.objects.filter(project=project, client_visible=True).exclude(
        source=TaskCard.Source.FEEDBACK
    )
    return PortalProject(
        phases=phases,
        timeline=project_timeline(project=project, phases=phases, today=today),
        milestones=_milestone_rows(phases, project),
        cards=list(cards.select_related("milestone").order_by("status", "position", "pk")),
        waiting=portal_waiting(project=project, today=today),
        feedback=portal_feedback(project=project),
        activities=list(
            project.activities.filter(client_visible=True).select_related("actor")[:30]
        ),
    )


@dataclass
class SignOffPage:
    milestone: dict
    milestone_sha256: str
    manifest: list[dict]
    manifest_sha256: str
    consent: str
    consent_sha256: str
    signoffs: list[SignOff]


def signoff_page(*, milestone: Milestone, organisation: str) -> SignOffPage:
    """The milestone and files to sign, the consent text and the decisions on earlier
    submissions."""
    shown = signoff_milestone_shown(milestone=milestone)
    manifest = signoff_manifest(milestone=milestone)
    consent = signoff_consent_text(milestone=milestone, organisation=organisation)
    return SignOffPage(
        milestone=shown,
        milestone_sha256=sha256_of(shown),
        manifest=manifest,
        manifest_sha256=sha256_of(manifest),
        consent=consent,
        consent_sha256=sha256_of(consent),
        signoffs=list(milestone.signoffs.order_by("-pk")),
    )
