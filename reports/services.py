"""Writes of the reports app: rendering and storing reports, and the weekly deliveries."""

import datetime
import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from clientprogress.languages import offered_language
from clientprogress.limits import ERROR_TEXT, fit
from notifications.models import Notification
from notifications.services import notify
from projects.models import Project, User
from projects.selectors import can_log_in
from projects.services import activity_record

from . import mail, rendering
from .models import ReportDelivery, StatusReport
from .periods import Week
from .selectors import ReportData, delivery_missing, portfolio_reports, report_data

REPORTED_STATUSES = (Project.Status.ACTIVE, Project.Status.ON_HOLD)
# A queued report not taken by a worker this long after it was handed out was lost on the way.
LOST_AFTER = datetime.timedelta(minutes=1)
# Failures a later attempt may not meet: the broker, the disk, the database, the time limit.
# The tasks retry them rather than send a mail without the report; any other failure is the
# project's own (its data, its rendering) and would fail again, so the rest goes on without it.
TRANSIENT = (OSError, DatabaseError, SoftTimeLimitExceeded)

logger = logging.getLogger(__name__)


def _described(error: BaseException) -> str:
    return fit(f"{type(error).__name__}: {error}", ERROR_TEXT)


def _report_locked(
    *, project_id: int, week: Week, audience: str, **defaults: object
) -> tuple[StatusReport, bool]:
    """The week's report row for one audience, locked for this transaction; made when new."""
    return StatusReport.objects.select_for_update().get_or_create(
        project_id=project_id,
        period=week.label,
        audience=audience,
        defaults={"period_start": week.first_day, **defaults},
    )


def report_request(*, project: Project, audience: str, actor: User) -> StatusReport:
    """Queues a report of the week under way in the client's time zone; clicking again while
    it renders does not queue a second render."""
    week = Week.current(time_zone=project.client.time_zone)
    with transaction.atomic():
        report, created = _report_locked(
            project_id=project.pk,
            week=week,
            audience=audience,
            state=StatusReport.State.QUEUED,
            trigger=StatusReport.Trigger.ON_DEMAND,
            requested_by=actor,
        )
        if not created and report.pending and not report.stalled:
            return report
        if not created:
            report.state = StatusReport.State.QUEUED
            report.trigger = StatusReport.Trigger.ON_DEMAND
            report.requested_by = actor
            report.requested_at = report.enqueued_at = timezone.now()
            report.error = ""
            report.full_clean()
            report.save()
        activity_record(
            project=project,
            actor=actor,
            verb="report.requested",
            summary=_("Status report for %(week)s requested (%(audience)s)")
            % {"week": week, "audience": report.get_audience_display()},
        )
        # With the broker down the request still answers: the sweep hands the report out later.
        transaction.on_commit(lambda: _renders_enqueue([report.pk]), robust=True)
    return report


def _renders_enqueue(report_ids: list[int]) -> None:
    from .tasks import render_requested_report  # the tasks module imports this one

    for report_id in report_ids:
        render_requested_report.delay(report_id=report_id)


def requested_reports_sweep(*, now: datetime.datetime, limit: int) -> list[int]:
    """Queued reports whose render message was lost (the broker was down when someone asked)
    are handed to the workers again. Each is claimed by moving its time forward with a
    conditional update, so two sweeps never both hand it out; the render claims it again."""
    queued = StatusReport.objects.filter(
        state=StatusReport.State.QUEUED, enqueued_at__lt=now - LOST_AFTER
    )
    claimed = _claim_lost(queued, now=now, limit=limit)
    transaction.on_commit(lambda: _renders_enqueue(claimed), robust=True)
    return claimed


def deliveries_sweep(*, now: datetime.datetime, limit: int) -> list[int]:
    """Weekly mails of the last days still unsent a lease after they were handed out: their
    message was lost (the broker went down while the Monday job fanned out). Claimed like
    requested_reports_sweep; delivery_send claims each again, so none is sent twice."""
    due = now - datetime.timedelta(seconds=settings.REPORT_DELIVERY_LEASE_SECONDS)
    unsent = ReportDelivery.objects.filter(
        enqueued_at__lt=due, created_at__gte=now - datetime.timedelta(weeks=1)
    ).exclude(state__in=[ReportDelivery.State.SENT, ReportDelivery.State.FAILED])
    claimed = _claim_lost(unsent, now=now, limit=limit)
    transaction.on_commit(lambda: _deliveries_enqueue(claimed), robust=True)
    return claimed


def _claim_lost(rows: QuerySet, *, now: datetime.datetime, limit: int) -> list[int]:
    """Takes each row by moving its enqueue time from the value read to now, so that of two
    sweeps at once only one hands it out."""
    candidates = list(rows.order_by("enqueued_at").values_list("pk", "enqueued_at")[:limit])
    return [
        pk
        for pk, enqueued_at in candidates
        if rows.filter(pk=pk, enqueued_at=enqueued_at).update(enqueued_at=now)
    ]


def _deliveries_enqueue(delivery_ids: list[int]) -> None:
    from .tasks import deliver_weekly_report

    for delivery_id in delivery_ids:
        deliver_weekly_report.delay(delivery_id=delivery_id)


def report_render_requested(*, report_id: int) -> StatusReport | None:
    """Renders a queued report. Returns None when another worker has already taken it."""
    claimed = StatusReport.objects.filter(pk=report_id, state=StatusReport.State.QUEUED).update(
        state=StatusReport.State.RENDERING
    )
    if not claimed:
        return None
    report = StatusReport.objects.select_related("project").get(pk=report_id)
    try:
        data = report_data(
            project_id=report.project_id,
            week=Week.parse(report.period),
            audience=report.audience,
            now=timezone.now(),
        )
        pdf = rendering.report_pdf(data)
    except BaseException as error:
        # The soft time limit lands here too: the row must not stay "being generated".
        StatusReport.objects.filter(pk=report_id).update(
            state=StatusReport.State.FAILED, error=_described(error)
        )
        raise
    with transaction.atomic():
        report = StatusReport.objects.select_for_update().get(pk=report_id)
        _store(report, pdf=pdf, data=data)
        if report.requested_by_id:
            notify(
                recipient_ids=[report.requested_by_id],
                kind=Notification.Kind.REPORT,
                title=_("Status report for %(week)s is ready") % {"week": report.period},
                dedupe_key=f"report:{report.pk}:{report.sha256}",
                text=str(report.project),
                link=reverse("reports:download", args=[report.pk]),
                project_id=report.project_id,
                target=f"report:{report.pk}",
            )
    return report


def report_render_weekly(*, project_id: int, week: Week, audience: str) -> StatusReport:
    """The report of a finished week: rendered once, then reused by every run and recipient."""
    existing = StatusReport.objects.filter(
        project_id=project_id,
        period=week.label,
        audience=audience,
        state=StatusReport.State.READY,
        complete=True,
    ).first()
    if existing:
        return existing
    try:
        data = report_data(project_id=project_id, week=week, audience=audience, now=timezone.now())
        pdf = rendering.report_pdf(data)
    except BaseException as error:
        _report_failed(project_id=project_id, week=week, audience=audience, error=error)
        raise
    with transaction.atomic():
        report, _created = _report_locked(
            project_id=project_id,
            week=week,
            audience=audience,
            state=StatusReport.State.RENDERING,
            trigger=StatusReport.Trigger.WEEKLY,
        )
        if report.complete and report.state == StatusReport.State.READY:
            return report  # another worker stored it while we rendered
        report.trigger = StatusReport.Trigger.WEEKLY
        report.requested_by = None
        _store(report, pdf=pdf, data=data)
    return report


def _report_mark_failed(
    *, project_id: int, week: Week, audience: str, error: BaseException
) -> None:
    with transaction.atomic():
        report, _created = _report_locked(
            project_id=project_id,
            week=week,
            audience=audience,
            state=StatusReport.State.FAILED,
            trigger=StatusReport.Trigger.WEEKLY,
        )
        if report.complete and report.state == StatusReport.State.READY:
            return  # another worker stored it while this one failed
        StatusReport.objects.filter(pk=report.pk).update(
            state=StatusReport.State.FAILED,
            trigger=StatusReport.Trigger.WEEKLY,
            error=_described(error),
        )


def _report_failed(*, project_id: int, week: Week, audience: str, error: BaseException) -> None:
    """The week's report shows as failed, with why, until a later run renders it. A database
    that is failing too must not hide the first error, which the caller raises next."""
    try:
        _report_mark_failed(project_id=project_id, week=week, audience=audience, error=error)
    except DatabaseError:
        logger.exception("could not mark the %s report of project %s failed", audience, project_id)


def report_render_now(
    *, project: Project, week: Week, audience: str
) -> tuple[StatusReport | None, bytes]:
    """For the command line: renders any week that has begun. The PDF of a finished week is
    stored (like the weekly job would); the week under way is only returned."""
    now = timezone.now()
    if now < week.end_in(project.client.time_zone) - datetime.timedelta(weeks=1):
        raise ValueError(_("Week %(week)s has not started yet.") % {"week": week})
    if now >= week.end_in(project.client.time_zone):
        report = report_render_weekly(project_id=project.pk, week=week, audience=audience)
        with report.file.open("rb") as file:
            return report, file.read()
    data = report_data(project_id=project.pk, week=week, audience=audience, now=now)
    return None, rendering.report_pdf(data)


def _store(report: StatusReport, *, pdf: bytes, data: ReportData) -> None:
    replaced = report.file.name
    report.sha256 = hashlib.sha256(pdf).hexdigest()
    report.size = len(pdf)
    report.file.save(report.filename, ContentFile(pdf), save=False)
    if replaced and replaced != report.file.name:
        storage = report.file.storage
        transaction.on_commit(lambda: storage.delete(replaced))
    report.figures = data.figures()
    report.complete = data.complete
    report.generated_at = data.generated_at
    report.state = StatusReport.State.READY
    report.error = ""
    report.full_clean()
    report.save()
    activity_record(
        project=report.project,
        actor=report.requested_by,
        verb="report.generated",
        summary=_("Status report for %(week)s generated (%(audience)s)")
        % {"week": report.period, "audience": report.get_audience_display()},
        client_visible=report.audience == StatusReport.Audience.CLIENT,
    )


class ReportFailed(Exception):
    """Some of a project's reports of the week could not be rendered; each is marked failed."""


@dataclass(frozen=True)
class StepFailure:
    step: str  # "project" or "delivery"
    pk: int
    error: str


@dataclass(frozen=True)
class WeeklyRun:
    delivered: list  # what `deliver` returned for each delivery that did not fail
    failures: list[StepFailure] = field(default_factory=list)


def _step(step: str, pk: int, action: Callable[[int], object]) -> object | StepFailure:
    """One step of the job: a failure is logged and handed back, so the other steps still run."""
    try:
        return action(pk)
    except Exception as error:
        # A failed report was logged with its traceback where it failed.
        traceback = not isinstance(error, ReportFailed)
        logger.error("weekly reports: %s %s failed: %s", step, pk, error, exc_info=traceback)
        return StepFailure(step=step, pk=pk, error=_described(error))


def weekly_run(
    *, week: Week, render: Callable[[int], object], deliver: Callable[[int], object]
) -> WeeklyRun:
    """The Monday job's course, for the beat task and the command alike: claim one delivery per
    recipient, render each reported project, deliver each claimed mail. `render` and `deliver`
    take ids: the task passes ones that enqueue, the command ones that work in its process.
    A project or a mail that fails stops nothing else: it is returned among the failures."""
    deliveries = weekly_deliveries_claim(week=week)
    rendered = [_step("project", pk, render) for pk in weekly_project_ids()]
    delivered = [_step("delivery", pk, deliver) for pk in deliveries]
    failures = [r for r in rendered + delivered if isinstance(r, StepFailure)]
    return WeeklyRun(
        delivered=[d for d in delivered if not isinstance(d, StepFailure)], failures=failures
    )


def _render_or_skip(*, project_id: int, week: Week, audience: str) -> str:
    """Renders one report of the week; a failure that would only repeat is logged and its
    description returned (the report is marked failed), so the caller can go on."""
    try:
        report_render_weekly(project_id=project_id, week=week, audience=audience)
    except TRANSIENT:
        raise
    except Exception as error:
        logger.exception("weekly %s report of project %s for %s failed", audience, project_id, week)
        return f"{audience}: {_described(error)}"
    return ""


def weekly_project_render(*, project_id: int, week: Week) -> None:
    """The week's reports of one project, one per audience its recipients need. Raises
    ReportFailed after trying every audience when any of them failed."""
    project = Project.objects.get(pk=project_id)
    errors = [
        _render_or_skip(project_id=project_id, week=week, audience=audience)
        for audience in weekly_audiences(project)
    ]
    if any(errors):
        raise ReportFailed("; ".join(error for error in errors if error))


def weekly_project_ids() -> list[int]:
    return list(
        Project.objects.filter(status__in=REPORTED_STATUSES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def weekly_audiences(project: Project) -> list[str]:
    if project.mail_client_reports:
        return [StatusReport.Audience.INTERNAL, StatusReport.Audience.CLIENT]
    return [StatusReport.Audience.INTERNAL]


def weekly_recipients() -> dict[int, list[int]]:
    """Recipient id → the ids of the projects their weekly mail covers: managers all, a PM
    their own, a client contact their organisation's projects that mail the client version.
    Only people who can log in: a contact who has not accepted their invitation gets nothing."""
    projects = list(
        Project.objects.filter(status__in=REPORTED_STATUSES)
        .order_by("pk")
        .values("pk", "pm_id", "client_id", "mail_client_reports")
    )
    active = User.objects.filter(can_log_in())
    active_pms = set(
        active.filter(pk__in={p["pm_id"] for p in projects}).values_list("pk", flat=True)
    )
    recipients: dict[int, list[int]] = defaultdict(list)
    opted_in: dict[int, list[int]] = defaultdict(list)
    for project in projects:
        if project["pm_id"] in active_pms:
            recipients[project["pm_id"]].append(project["pk"])
        if project["mail_client_reports"]:
            opted_in[project["client_id"]].append(project["pk"])
    managers = active.filter(
        Q(role=User.Role.MANAGER) | Q(is_superuser=True), ~Q(role=User.Role.CLIENT)
    )
    for manager_id in managers.values_list("pk", flat=True):
        recipients[manager_id] = [project["pk"] for project in projects]
    contacts = active.filter(role=User.Role.CLIENT, contact__client_id__in=list(opted_in))
    for user_id, client_id in contacts.values_list("pk", "contact__client_id"):
        recipients[user_id] = opted_in[client_id]
    return {user_id: ids for user_id, ids in recipients.items() if ids}


def weekly_deliveries_claim(*, week: Week) -> list[int]:
    """One delivery row per recipient and week, whoever runs the job and however often; the
    projects it covers are fixed when the row is created. Returns the rows not yet sent."""
    for recipient_id, project_ids in weekly_recipients().items():
        with transaction.atomic():
            delivery, created = ReportDelivery.objects.get_or_create(
                recipient_id=recipient_id, period=week.label
            )
            if created:
                delivery.projects.set(project_ids)
    unsent = ReportDelivery.objects.filter(period=week.label).exclude(
        state__in=[ReportDelivery.State.SENT, ReportDelivery.State.FAILED]
    )
    return list(unsent.order_by("pk").values_list("pk", flat=True))


def delivery_prepare(*, delivery_id: int) -> None:
    """Makes sure every report the mail needs is stored, and for our own people the portfolio
    PDF too, then moves the delivery to "rendered". A rerun finds it there and renders nothing.
    A project whose report cannot be rendered is left out: the mail goes with the others."""
    delivery = ReportDelivery.objects.select_related("recipient").get(pk=delivery_id)
    if delivery.state != ReportDelivery.State.PENDING:
        return
    week = Week.parse(delivery.period)
    audience = _audience_of(delivery.recipient)
    for project_id in delivery.projects.order_by("pk").values_list("pk", flat=True):
        _render_or_skip(project_id=project_id, week=week, audience=audience)
    pdf = b""
    if audience == StatusReport.Audience.INTERNAL:
        reports = portfolio_reports(delivery=delivery, audience=audience)
        with translation.override(_language_of(delivery.recipient)):
            pdf = rendering.portfolio_pdf(
                recipient=delivery.recipient,
                week=week,
                reports=reports,
                # Mail servers refuse large messages: past the limit the summary links instead.
                with_reports=sum(r.size for r in reports) <= settings.REPORT_MAIL_MAX_MB * 2**20,
            )
    with transaction.atomic():
        delivery = ReportDelivery.objects.select_for_update().get(pk=delivery_id)
        if delivery.state != ReportDelivery.State.PENDING:
            return
        if pdf:
            delivery.sha256 = hashlib.sha256(pdf).hexdigest()
            delivery.file.save(f"{delivery.period}.pdf", ContentFile(pdf), save=False)
        delivery.state = ReportDelivery.State.RENDERED
        delivery.full_clean()
        delivery.save()


def delivery_send(*, delivery_id: int) -> bool:
    """Sends a prepared delivery at most once: the conditional update that claims it succeeds
    for one worker only; a claim older than the lease belongs to a worker that died before it
    could finish and is taken over. Returns whether this call sent the mail."""
    lease_expired = timezone.now() - datetime.timedelta(
        seconds=settings.REPORT_DELIVERY_LEASE_SECONDS
    )
    claimed = (
        ReportDelivery.objects.filter(pk=delivery_id)
        .filter(
            Q(state=ReportDelivery.State.RENDERED)
            | Q(state=ReportDelivery.State.SENDING, claimed_at__lt=lease_expired)
        )
        .update(
            state=ReportDelivery.State.SENDING,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return False
    delivery = ReportDelivery.objects.select_related("recipient").get(pk=delivery_id)
    try:
        audience = _audience_of(delivery.recipient)
        reports = portfolio_reports(delivery=delivery, audience=audience)
        missing = delivery_missing(delivery=delivery, audience=audience)
        with translation.override(_language_of(delivery.recipient)):
            message = mail.weekly_message(delivery=delivery, reports=reports, missing=missing)
        message.send()
    except Exception as error:
        ReportDelivery.objects.filter(pk=delivery_id).update(
            state=ReportDelivery.State.RENDERED, last_error=_described(error)
        )
        raise
    ReportDelivery.objects.filter(pk=delivery_id).update(
        state=ReportDelivery.State.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def delivery_deliver(*, delivery_id: int) -> bool:
    """Renders what the delivery still lacks (normally nothing), then sends it."""
    delivery_prepare(delivery_id=delivery_id)
    return delivery_send(delivery_id=delivery_id)


def delivery_give_up(*, delivery_id: int, error: str) -> None:
    ReportDelivery.objects.filter(pk=delivery_id).exclude(state=ReportDelivery.State.SENT).update(
        state=ReportDelivery.State.FAILED, last_error=fit(error, ERROR_TEXT)
    )


def _audience_of(user: User) -> str:
    return StatusReport.Audience.CLIENT if user.is_client else StatusReport.Audience.INTERNAL


def _language_of(user: User) -> str:
    return offered_language(user.language)
