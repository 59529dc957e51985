import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from projects.models import Project, TaskCard

from .models import Milestone, Phase


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
