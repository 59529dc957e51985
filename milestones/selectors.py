import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from projects.models import Project, TaskCard
from projects.selectors import client_zones, due_before_in_zone, zones_today

from .models import DeliverableVersion, Milestone, Phase, SignOff

HEALTH_LABELS = {
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "late": gettext_lazy("Late"),
}


def project_phases(*, project: Project) -> list[Phase]:
    """The project's four phases with their milestones, ready to render."""
    milestones = Milestone.objects.order_by("due_date", "pk")
    return list(
        project.phases.order_by("order").prefetch_related(
            Prefetch("milestones", queryset=milestones)
        )
    )


def phase_progress(*, project: Project, phases: list[Phase]) -> dict[int, int]:
    """Per phase, the share (0-100) of its cards done and milestones approved."""
    cards = {
        row["milestone__phase"]: row
        for row in TaskCard.objects.filter(project=project, milestone__isnull=False)
        .values("milestone__phase")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status=TaskCard.Status.DONE)))
    }
    progress = {}
    for phase in phases:
        milestones = list(phase.milestones.all())
        row = cards.get(phase.pk, {"total": 0, "done": 0})
        total = row["total"] + len(milestones)
        done = row["done"] + sum(m.status == Milestone.Status.APPROVED for m in milestones)
        progress[phase.pk] = round(100 * done / total) if total else 0
    return progress


@dataclass(frozen=True)
class TimelineBar:
    label: str
    y: float
    x: float
    width: float
    done_width: float
    progress: int
    start: datetime.date | None
    end: datetime.date | None


@dataclass(frozen=True)
class TimelineMark:
    title: str
    x: float
    y: float
    late: bool
    status: str
    status_label: str
    due: datetime.date


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    bars: list[TimelineBar]
    marks: list[TimelineMark]
    today_x: float | None
    start: datetime.date
    end: datetime.date


def project_timeline(
    *, project: Project, phases: list[Phase], today: datetime.date, width: int = 760
) -> Timeline:
    """Geometry of the phase timeline (planned spans, progress, milestones, today), drawn as SVG
    by templates/milestones/_timeline.svg in pages and PDFs alike."""
    label_width, row_height, top = 170, 34, 24
    dates = [project.start_date, project.end_date]
    dates += [d for p in phases for d in (p.planned_start, p.planned_end) if d]
    dates += [m.due_date for p in phases for m in p.milestones.all()]
    start, end = min(dates), max(dates)
    span = max((end - start).days, 1)
    plot = width - label_width - 16

    def x_of(day: datetime.date) -> float:
        return round(label_width + plot * (day - start).days / span, 1)

    progress = phase_progress(project=project, phases=phases)
    bars, marks = [], []
    for row, phase in enumerate(phases):
        y = top + row * row_height
        first, last = phase.planned_start or start, phase.planned_end or end
        bar_width = max(x_of(last) - x_of(first), 2)
        bars.append(
            TimelineBar(
                label=str(phase.get_kind_display()),
                y=y,
                x=x_of(first),
                width=bar_width,
                done_width=round(bar_width * progress[phase.pk] / 100, 1),
                progress=progress[phase.pk],
                start=phase.planned_start,
                end=phase.planned_end,
            )
        )
        for milestone in phase.milestones.all():
            marks.append(
                TimelineMark(
                    title=milestone.title,
                    x=x_of(milestone.due_date),
                    y=y + 9,
                    late=milestone.due_date < today
                    and milestone.status != Milestone.Status.APPROVED,
                    status=milestone.status,
                    status_label=str(milestone.get_status_display()),
                    due=milestone.due_date,
                )
            )
    today_x = x_of(today) if start <= today <= end else None
    height = top + len(phases) * row_height + 8
    return Timeline(width, height, label_width, bars, marks, today_x, start, end)


def submission_blockers(*, milestone: Milestone) -> list[str]:
    """Why the milestone cannot be submitted for sign-off yet; empty when it can."""
    blockers = []
    if not milestone.requires_signoff:
        blockers.append(_("This milestone does not need the client's sign-off."))
    if milestone.status in (Milestone.Status.AWAITING_SIGNOFF, Milestone.Status.APPROVED):
        blockers.append(
            _("It is already %(status)s.") % {"status": milestone.get_status_display().lower()}
        )
    open_criteria = milestone.criteria.filter(met_at__isnull=True).count()
    if open_criteria:
        blockers.append(
            ngettext(
                "%(count)s acceptance criterion is not met yet.",
                "%(count)s acceptance criteria are not met yet.",
                open_criteria,
            )
            % {"count": open_criteria}
        )
    deliverables = milestone.deliverables.annotate(files=Count("versions"))
    if not deliverables:
        blockers.append(_("Add at least one deliverable."))
    blockers += [
        _("“%(title)s” has no file yet.") % {"title": d.title} for d in deliverables if not d.files
    ]
    return blockers


def milestone_page(*, milestone: Milestone) -> dict:
    """The milestone with its criteria, its deliverables (each with its versions) and the
    client's decisions on it, newest first."""
    versions = DeliverableVersion.objects.select_related("uploaded_by").order_by("-number")
    deliverables = milestone.deliverables.prefetch_related(Prefetch("versions", queryset=versions))
    return {
        "milestone": milestone,
        "criteria": list(milestone.criteria.select_related("met_by")),
        "deliverables": list(deliverables),
        "blockers": submission_blockers(milestone=milestone),
        "signoffs": list(milestone.signoffs.order_by("-pk")),
        # What the client is asked to sign, or signed, keeps its criteria and deliverables.
        "open_for_changes": milestone.status
        not in (Milestone.Status.AWAITING_SIGNOFF, Milestone.Status.APPROVED),
    }


def project_milestones(*, project: Project) -> list[Milestone]:
    """The project's milestones in plan order, for choices and filters."""
    return list(Milestone.objects.filter(phase__project=project).order_by("due_date", "pk"))


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


def _phase_in_zones(today: dict[str, datetime.date], *lookups: str) -> Q:
    """Each lookup on a phase's dates (e.g. "planned_end__gte") holds for the day it is in the
    phase's client's time zone."""
    by_zone = Q(pk__in=[])
    for zone, day in today.items():
        by_zone |= Q(project__client__time_zone=zone, **dict.fromkeys(lookups, day))
    return by_zone


def _current_phase_kind(today: dict[str, datetime.date]) -> Coalesce:
    """See project_rows."""
    phases = Phase.objects.filter(project=OuterRef("pk")).order_by("order")
    milestones = Milestone.objects.filter(phase=OuterRef("pk"))
    has_open = Exists(milestones.exclude(status=Milestone.Status.APPROVED))
    not_ended = Q(planned_end__isnull=True) | _phase_in_zones(today, "planned_end__gte")
    unfinished = has_open | (~Exists(milestones) & not_ended)
    dated = phases.filter(_phase_in_zones(today, "planned_start__lte", "planned_end__gte"))
    return Coalesce(
        Subquery(dated.values("kind")[:1]), Subquery(phases.filter(unfinished).values("kind")[:1])
    )


def project_rows(projects: QuerySet[Project]) -> list:
    """Projects with what a list shows about each, in a fixed number of queries. Overdue and
    late count from each client's own date, as on the board and in the portal.

    The current phase is the first phase whose planned dates hold the client's today. Outside
    every phase's dates (before the start, after the end, in a gap, dates not planned), it is
    the first unfinished phase: one with a milestone not yet approved, or with no milestone at
    all whose planned end has not passed. A phase whose milestones are all approved is finished
    whatever its dates; so is an empty one whose end has passed. When every phase is finished,
    the project is in its last phase, acceptance & delivery."""
    today = zones_today(client_zones())
    if not today:
        return []  # no client, so no project
    overdue = due_before_in_zone(today, zone="client__time_zone", due="cards__due_date")
    late = due_before_in_zone(today, zone="phase__project__client__time_zone", due="due_date")
    on_board = Q(cards__archived_at__isnull=True)
    open_cards = on_board & ~Q(cards__status=TaskCard.Status.DONE)
    next_milestone = _open_milestones().order_by("due_date", "pk")
    rows = list(
        projects.select_related("client", "pm")
        .annotate(
            cards_total=Count("cards", filter=on_board),
            cards_done=Count("cards", filter=on_board & Q(cards__status=TaskCard.Status.DONE)),
            overdue_count=Count("cards", filter=open_cards & overdue),
            waiting_on_client=Count(
                "cards", filter=open_cards & Q(cards__responsible=TaskCard.Responsible.CLIENT)
            ),
            next_milestone_title=Subquery(next_milestone.values("title")[:1]),
            next_milestone_due=Subquery(next_milestone.values("due_date")[:1]),
            current_phase_kind=_current_phase_kind(today),
            late_milestones=_count(_open_milestones().filter(late)),
        )
        .order_by("client__name", "name")
    )
    labels = dict(Phase.Kind.choices)
    for project in rows:
        project.progress = (
            round(100 * project.cards_done / project.cards_total) if project.cards_total else 0
        )
        project.current_phase_label = labels[project.current_phase_kind or Phase.Kind.ACCEPTANCE]
        project.next_milestone_late = bool(
            project.next_milestone_due
            and project.next_milestone_due < today[project.client.time_zone]
        )
        project.health = project_health(
            late_milestones=project.late_milestones,
            overdue_cards=project.overdue_count,
            open_cards=project.cards_total - project.cards_done,
        )
        project.health_label = HEALTH_LABELS[project.health]
    return rows


def project_signoffs(*, project: Project) -> list[SignOff]:
    """The project's sign-off ledger, newest first."""
    signoffs = SignOff.objects.filter(milestone__phase__project=project)
    return list(signoffs.select_related("milestone__phase").order_by("-pk"))


# A milestone's files are put to the client when it is submitted for their sign-off; until then
# they are drafts. A decided milestone keeps showing the files decided on.
FILES_SHOWN_TO_CLIENT = frozenset(
    {
        Milestone.Status.AWAITING_SIGNOFF,
        Milestone.Status.APPROVED,
        Milestone.Status.CHANGES_REQUESTED,
    }
)


def signed_files(signoffs: Iterable[SignOff]) -> set[tuple[int, str]]:
    """The (version id, SHA-256) of every file the sign-offs' manifests name, whatever was
    decided: the client decided on exactly these."""
    return {(entry["version_id"], entry["sha256"]) for s in signoffs for entry in s.manifest}


def client_may_download(
    *, version: DeliverableVersion, newest: bool, status: str, signed: set[tuple[int, str]]
) -> bool:
    """Whether a client contact may download a version of their own project: a file one of
    their decisions names, whatever became of the milestone since, or the newest version of a
    deliverable whose milestone (in `status`) awaits their sign-off or was decided. A version
    replaced before anyone signed it, and any file of a milestone not yet submitted, is a
    draft: it stays with the team."""
    if (version.pk, version.sha256) in signed:
        return True
    return newest and status in FILES_SHOWN_TO_CLIENT
