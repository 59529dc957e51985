"""One project's week as plain data, ready for the report template; and the archive's rows."""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from milestones.models import Milestone, SignOff
from milestones.selectors import (
    HEALTH_LABELS,
    Timeline,
    project_health,
    project_phases,
    project_timeline,
)
from projects.models import Project, TaskCard
from projects.selectors import local_today

from .models import ReportDelivery, StatusReport
from .periods import Week

DONE = TaskCard.Status.DONE
CLIENT = TaskCard.Responsible.CLIENT
CARD_FIELDS = (
    "title",
    "status",
    "due_date",
    "responsible",
    "client_visible",
    "blocked_reason",
    "source",
    "created_at",
    "completed_at",
    "assignee__full_name",
    "assignee__email",
)


@dataclass(frozen=True)
class CardLine:
    title: str
    status: str
    status_label: str
    due_date: datetime.date | None
    responsible: str
    responsible_label: str
    assignee: str
    blocked_reason: str
    received: datetime.date
    completed: datetime.date | None
    days_late: int
    waiting_days: int


@dataclass(frozen=True)
class Section:
    """A list in the report: its true size, and the lines that matter most, most urgent first."""

    total: int
    lines: list[CardLine]

    @property
    def more(self) -> int:
        return self.total - len(self.lines)


@dataclass(frozen=True)
class SignOffLine:
    signer_name: str
    signed_at: datetime.datetime
    decision: str
    decision_label: str


@dataclass(frozen=True)
class MilestoneLine:
    title: str
    phase_label: str
    due_date: datetime.date
    status: str
    status_label: str
    late: bool
    signoffs: list[SignOffLine]


@dataclass(frozen=True)
class ReportData:
    project: Project
    audience: str
    week: Week
    time_zone: str
    report_date: datetime.date
    complete: bool
    generated_at: datetime.datetime
    health: str
    progress: int
    # Points since the start of the week; None without cards then (nothing to compare with).
    progress_change: int | None
    cards_total: int
    cards_done: int
    timeline: Timeline
    milestones: list[MilestoneLine]
    completed: Section
    in_progress: Section
    due_next_week: Section
    overdue: Section
    blocked: Section
    waiting: Section
    feedback: Section
    days_lost_team: int
    days_lost_client: int
    next_week: Week = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "next_week", self.week.shifted(1))

    @property
    def internal(self) -> bool:
        return self.audience == StatusReport.Audience.INTERNAL

    @property
    def health_label(self) -> str:
        return str(HEALTH_LABELS[self.health])

    def figures(self) -> dict[str, object]:
        """The headline numbers kept with the stored report for portfolio summaries."""
        return {
            "health": self.health,
            "progress": self.progress,
            "progress_change": self.progress_change,
            "completed": self.completed.total,
            "overdue": self.overdue.total,
            "waiting_on_client": self.waiting.total,
            "days_lost_team": self.days_lost_team,
            "days_lost_client": self.days_lost_client,
        }


class _Card:
    """A card row as the report sees it at one moment (`as_of`) in the client's time zone."""

    def __init__(self, row: dict, *, zone: zoneinfo.ZoneInfo, as_of: datetime.datetime) -> None:
        self.row = row
        completed_at = row["completed_at"]
        # A card marked done without a completion time was done before anything we can date.
        self.done = row["status"] == DONE and (completed_at is None or completed_at < as_of)
        self.completed = completed_at.astimezone(zone).date() if completed_at else None
        self.received = row["created_at"].astimezone(zone).date()

    def done_before(self, moment: datetime.datetime) -> bool:
        completed_at = self.row["completed_at"]
        return self.row["status"] == DONE and (completed_at is None or completed_at < moment)

    def days_lost(self, week: Week, report_date: datetime.date) -> int:
        """See report_data: days of the week after the due date and before completion."""
        due = self.row["due_date"]
        if due is None or due >= report_date:
            return 0  # not late; and the day after a far due date may not exist
        first = max(due + datetime.timedelta(days=1), week.first_day)
        last = report_date
        if self.done:
            last = min(last, (self.completed or week.first_day) - datetime.timedelta(days=1))
        return max((last - first).days + 1, 0)

    def line(self, report_date: datetime.date) -> CardLine:
        row, due = self.row, self.row["due_date"]
        status = DONE if self.done else row["status"]
        return CardLine(
            title=row["title"],
            status=status,
            status_label=str(TaskCard.Status(status).label),
            due_date=due,
            responsible=row["responsible"],
            responsible_label=str(TaskCard.Responsible(row["responsible"]).label),
            assignee=row["assignee__full_name"] or row["assignee__email"] or "",
            blocked_reason=row["blocked_reason"],
            received=self.received,
            completed=self.completed,
            days_late=(report_date - due).days if due and due < report_date else 0,
            waiting_days=(report_date - self.received).days,
        )


def _section(
    cards: Iterable[_Card], report_date: datetime.date, key: Callable[[CardLine], object]
) -> Section:
    lines = sorted((card.line(report_date) for card in cards), key=key)
    return Section(total=len(lines), lines=lines[: settings.REPORT_SECTION_ROWS])


def _by_due(line: CardLine) -> tuple:
    return (line.due_date is None, line.due_date, line.title)


def _progress(cards: list[_Card], moment: datetime.datetime) -> int:
    existing = [card for card in cards if card.row["created_at"] < moment]
    done = sum(card.done_before(moment) for card in existing)
    return round(100 * done / len(existing)) if existing else 0


def _milestone_lines(
    project: Project, phases: list, report_date: datetime.date
) -> list[MilestoneLine]:
    signoffs = defaultdict(list)
    for signoff in SignOff.objects.filter(milestone__phase__project=project).order_by(
        "signed_at", "pk"
    ):
        signoffs[signoff.milestone_id].append(
            SignOffLine(
                signer_name=signoff.signer_name,
                signed_at=signoff.signed_at,
                decision=signoff.decision,
                decision_label=str(signoff.get_decision_display()),
            )
        )
    return [
        MilestoneLine(
            title=milestone.title,
            phase_label=str(phase.get_kind_display()),
            due_date=milestone.due_date,
            status=milestone.status,
            status_label=str(milestone.get_status_display()),
            late=milestone.due_date < report_date and milestone.status != Milestone.Status.APPROVED,
            signoffs=signoffs[milestone.pk],
        )
        for phase in phases
        for milestone in phase.milestones.all()
    ]


def report_data(
    *, project_id: int, week: Week, audience: str, now: datetime.datetime
) -> ReportData:
    """Everything one report shows, as it stood at the end of the week (or now, for the week
    under way), computed in a fixed number of queries.

    The client version keeps only client-visible cards and has no blocked reasons or health.

    Days lost this period: for each card with a due date, the days of this week that come after
    its due date and before the day it was completed (or up to the report date while it is
    open), summed per side by `responsible`: our team versus the client. A card due on Monday
    and still open on Sunday has lost six days; one done on Thursday has lost Tuesday and
    Wednesday.
    """
    project = Project.objects.select_related("client", "pm").get(pk=project_id)
    zone = zoneinfo.ZoneInfo(project.client.time_zone)
    week_start = datetime.datetime.combine(week.first_day, datetime.time(tzinfo=zone))
    week_end = week.end_in(project.client.time_zone)
    complete = now >= week_end
    as_of = min(now, week_end)
    report_date = week.last_day if complete else local_today(project.client.time_zone, now=as_of)

    rows = TaskCard.objects.filter(project=project, created_at__lt=as_of).values(*CARD_FIELDS)
    everything = [_Card(row, zone=zone, as_of=as_of) for row in rows]
    internal = audience == StatusReport.Audience.INTERNAL
    cards = everything if internal else [c for c in everything if c.row["client_visible"]]
    open_cards = [card for card in cards if not card.done]
    overdue = [c for c in open_cards if c.row["due_date"] and c.row["due_date"] < report_date]
    next_week = week.shifted(1)
    phases = project_phases(project=project)
    milestones = _milestone_lines(project, phases, report_date)
    progress = _progress(everything, as_of)
    compared = any(card.row["created_at"] < week_start for card in everything)
    return ReportData(
        project=project,
        audience=audience,
        week=week,
        time_zone=project.client.time_zone,
        report_date=report_date,
        complete=complete,
        generated_at=now,
        health=project_health(
            late_milestones=sum(m.late for m in milestones),
            overdue_cards=len(overdue),
            open_cards=len(open_cards),
        ),
        progress=progress,
        progress_change=progress - _progress(everything, week_start) if compared else None,
        # The percentage is the project's real state, as in the portal; the counts are of the
        # cards this audience may see, so they reveal nothing of internal work to the client.
        cards_total=len(cards),
        cards_done=sum(card.done for card in cards),
        timeline=project_timeline(project=project, phases=phases, today=report_date),
        milestones=milestones,
        completed=_section(
            (c for c in cards if c.done and c.completed and c.completed >= week.first_day),
            report_date,
            lambda line: (line.completed, line.title),
        ),
        in_progress=_section(
            (
                c
                for c in open_cards
                if c.row["status"] in (TaskCard.Status.IN_PROGRESS, TaskCard.Status.IN_REVIEW)
            ),
            report_date,
            _by_due,
        ),
        due_next_week=_section(
            (
                c
                for c in open_cards
                if c.row["due_date"]
                and next_week.first_day <= c.row["due_date"] <= next_week.last_day
            ),
            report_date,
            _by_due,
        ),
        overdue=_section(overdue, report_date, lambda line: (-line.days_late, line.title)),
        blocked=_section(
            (c for c in open_cards if internal and c.row["status"] == TaskCard.Status.BLOCKED),
            report_date,
            _by_due,
        ),
        waiting=_section(
            (c for c in open_cards if c.row["responsible"] == CLIENT),
            report_date,
            lambda line: (-line.waiting_days, line.title),
        ),
        feedback=_section(
            (
                c
                for c in cards
                if c.row["source"] == TaskCard.Source.FEEDBACK
                and (not c.done or c.received >= week.first_day)
            ),
            report_date,
            lambda line: (line.status == DONE, line.received, line.title),
        ),
        days_lost_team=sum(
            c.days_lost(week, report_date) for c in cards if c.row["responsible"] != CLIENT
        ),
        days_lost_client=sum(
            c.days_lost(week, report_date) for c in cards if c.row["responsible"] == CLIENT
        ),
    )


def project_reports(
    *, project: Project, audience: str | None = None, limit: int = 6
) -> list[StatusReport]:
    """A project's latest reports, newest request first; the client's list passes its audience
    and sees only finished ones."""
    reports = StatusReport.objects.filter(project=project).select_related("requested_by")
    if audience:
        reports = reports.filter(audience=audience, state=StatusReport.State.READY)
    return list(reports.order_by("-requested_at", "-pk")[:limit])


def portfolio_reports(*, delivery: ReportDelivery, audience: str) -> list[StatusReport]:
    """The week's ready reports of the projects a delivery covers, in portfolio order."""
    return list(
        StatusReport.objects.filter(
            project__in=delivery.projects.all(),
            period=delivery.period,
            audience=audience,
            state=StatusReport.State.READY,
        )
        .select_related("project__client", "project__pm")
        .order_by("project__client__name", "project__name")
    )


def delivery_missing(*, delivery: ReportDelivery, audience: str) -> list[Project]:
    """The delivery's projects that have no ready report of the week: their rendering failed."""
    ready = StatusReport.objects.filter(
        project=OuterRef("pk"),
        period=delivery.period,
        audience=audience,
        state=StatusReport.State.READY,
    )
    return list(
        delivery.projects.exclude(Exists(ready))
        .select_related("client")
        .order_by("client__name", "name")
    )


@dataclass(frozen=True)
class PortfolioRow:
    """One project's line in a portfolio summary: the figures stored with its report."""

    report: StatusReport
    url: str
    health: str
    health_label: str
    progress: int
    progress_change: int | None
    completed: int
    overdue: int
    waiting_on_client: int
    days_lost_team: int
    days_lost_client: int


def report_url(report: StatusReport) -> str:
    """Where a mail links to a report: the archive for our people, the portal for the client."""
    name = "reports:download"
    if report.audience == StatusReport.Audience.CLIENT:
        name = "reports:portal_download"
    return f"{settings.SITE_URL}{reverse(name, args=[report.pk])}"


def portfolio_rows(reports: list[StatusReport]) -> list[PortfolioRow]:
    return [
        PortfolioRow(
            report=report,
            url=report_url(report),
            health_label=str(HEALTH_LABELS[report.figures["health"]]),
            **report.figures,
        )
        for report in reports
    ]


def ready_reports(*, projects: list[Project]) -> QuerySet[StatusReport]:
    """The archive: downloadable reports of these projects, newest week first."""
    return (
        StatusReport.objects.filter(project__in=projects, state=StatusReport.State.READY)
        .select_related("project__client", "requested_by")
        .order_by("-period", "project__name", "audience")
    )


def delivery_in_flight(*, delivery_id: int) -> bool:
    return ReportDelivery.objects.filter(
        pk=delivery_id, state=ReportDelivery.State.SENDING
    ).exists()
