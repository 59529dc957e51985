"""Writes on a project's plan: creating a project with its phases; phases, milestones,
deliverables, acceptance criteria and sign-offs."""

import datetime
import hashlib
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify
from projects.models import Client, Project, User
from projects.services import (
    activity_record,
    field_labels,
    fields_apply,
    project_lock,
    undo_expired,
)

from .models import AcceptanceCriterion, Deliverable, DeliverableVersion, Milestone, Phase
from .selectors import submission_blockers


def _day(day: datetime.date | None) -> str:
    return date_format(day, "SHORT_DATE_FORMAT") if day else "—"


def _phase_spans(
    start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, datetime.date]]:
    """Splits the project's span into four consecutive phase spans (10 %, 20 %, 50 %, 20 %)."""
    days = (end - start).days
    cuts = [0, round(days * 0.1), round(days * 0.3), round(days * 0.8), days]
    spans = []
    for index in range(4):
        first = start + datetime.timedelta(days=cuts[index] + (1 if index else 0))
        last = max(first, start + datetime.timedelta(days=cuts[index + 1]))
        spans.append((min(first, end), min(last, end)))
    return spans


@transaction.atomic
def project_create(
    *,
    actor: User | None,
    client: Client,
    name: str,
    code: str,
    pm: User,
    start_date: datetime.date,
    end_date: datetime.date,
    description: str = "",
    team: list[User] | None = None,
    status: str = Project.Status.ACTIVE,
    mail_client_reports: bool = False,
) -> Project:
    """Creates a project with its four phases, in order, spread over its dates."""
    project = Project(
        client=client,
        name=name,
        code=code,
        pm=pm,
        start_date=start_date,
        end_date=end_date,
        description=description,
        status=status,
        mail_client_reports=mail_client_reports,
    )
    project.full_clean()
    project.save()
    if team:
        project.team.set(team)
    Phase.objects.bulk_create(
        Phase(project=project, kind=kind, order=Phase.ORDER[kind], planned_start=s, planned_end=e)
        for kind, (s, e) in zip(Phase.Kind.values, _phase_spans(start_date, end_date), strict=True)
    )
    activity_record(
        project=project,
        actor=actor,
        verb="project.created",
        summary=_("Project “%(name)s” created") % {"name": name},
    )
    return project


@transaction.atomic
def phase_update(
    *,
    actor: User,
    phase: Phase,
    planned_start: datetime.date | None,
    planned_end: datetime.date | None,
) -> Phase:
    changes = {"planned_start": planned_start, "planned_end": planned_end}
    phase = Phase.objects.select_for_update().select_related("project").get(pk=phase.pk)
    if not fields_apply(phase, changes):
        return phase
    phase.full_clean()
    phase.save()
    activity_record(
        project=phase.project,
        actor=actor,
        verb="phase.rescheduled",
        summary=_("Phase “%(phase)s” planned from %(start)s to %(end)s")
        % {
            "phase": phase.get_kind_display(),
            "start": _day(planned_start),
            "end": _day(planned_end),
        },
        client_visible=True,
    )
    return phase


@transaction.atomic
def milestone_create(
    *,
    actor: User,
    phase: Phase,
    title: str,
    due_date: datetime.date,
    requires_signoff: bool = True,
    description: str = "",
) -> Milestone:
    milestone = Milestone(
        phase=phase,
        title=title,
        due_date=due_date,
        requires_signoff=requires_signoff,
        description=description,
    )
    milestone.full_clean()
    project_lock(project_id=phase.project_id)  # the board's milestone filter lists it
    milestone.save()
    activity_record(
        project=phase.project,
        actor=actor,
        verb="milestone.created",
        summary=_("Milestone “%(title)s” planned in %(phase)s, due %(due)s")
        % {"title": title, "phase": phase.get_kind_display(), "due": _day(due_date)},
        client_visible=True,
    )
    return milestone


# Changed on a submitted or approved milestone, these reopen it: the title and description
# are what the client signs, the due date what was agreed with them.
_SIGNED_FIELDS = ("title", "description", "due_date")


def _reopen(milestone: Milestone, *, actor: User, reason: str) -> None:
    """What the client was asked to sign, or signed, changes: the milestone goes back to work
    and needs a new submission and a new sign-off, in the transaction of the change. Earlier
    sign-offs keep naming what they covered: each stores it."""
    was = milestone.status
    if not milestone.under_signature:
        return
    milestone.status, milestone.approved_at = Milestone.Status.IN_PROGRESS, None
    milestone.save(update_fields=["status", "approved_at"])
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="milestone.reopened",
        summary=_("Milestone “%(milestone)s” reopened (was %(status)s): %(reason)s")
        % {"milestone": milestone.title, "status": Milestone.Status(was).label, "reason": reason},
        client_visible=True,
    )


def _locked_milestone(milestone: Milestone) -> Milestone:
    """No key update: a board write that locked the project first can still save a card that
    points at this milestone (the foreign-key check needs a key-share lock), so the two never
    wait for each other in a circle."""
    return (
        Milestone.objects.select_for_update(no_key=True)
        .select_related("phase__project__client")
        .get(pk=milestone.pk)
    )


@transaction.atomic
def milestone_update(*, actor: User, milestone: Milestone, changes: dict[str, object]) -> Milestone:
    """Applies the changed fields. A change to what the client signs (title, description, due
    date) of a submitted or approved milestone reopens it."""
    milestone = _locked_milestone(milestone)
    changed = fields_apply(milestone, changes)
    if not changed:
        return milestone
    milestone.full_clean()
    project_lock(project_id=milestone.phase.project_id)
    milestone.save()
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="milestone.updated",
        summary=_("Milestone “%(title)s” changed: %(fields)s")
        % {"title": milestone.title, "fields": field_labels(Milestone, changed)},
    )
    signed = [name for name in changed if name in _SIGNED_FIELDS]
    if signed:
        reason = _("%(fields)s changed") % {"fields": field_labels(Milestone, signed)}
        _reopen(milestone, actor=actor, reason=reason)
    return milestone


# The criteria are internal: the client's activity line says they changed, never what they say.
def _criteria_changed() -> str:
    return _("its acceptance criteria changed")


@transaction.atomic
def criterion_create(*, actor: User, milestone: Milestone, text: str) -> AcceptanceCriterion:
    milestone = _locked_milestone(milestone)
    last = milestone.criteria.aggregate(last=Max("position"))["last"]
    criterion = AcceptanceCriterion(
        milestone=milestone, text=text, position=0 if last is None else last + 1
    )
    criterion.full_clean()
    criterion.save()
    _reopen(milestone, actor=actor, reason=_criteria_changed())
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="criterion.created",
        summary=_("Acceptance criterion “%(text)s” added to “%(milestone)s”")
        % {"text": text, "milestone": milestone.title},
    )
    return criterion


@transaction.atomic
def criterion_set_met(
    *, actor: User, criterion: AcceptanceCriterion, met: bool
) -> AcceptanceCriterion:
    milestone = _locked_milestone(criterion.milestone)
    criterion = AcceptanceCriterion.objects.select_for_update().get(pk=criterion.pk)
    criterion.milestone = milestone
    if criterion.is_met == met:
        return criterion
    criterion.met_at, criterion.met_by = (timezone.now(), actor) if met else (None, None)
    criterion.save(update_fields=["met_at", "met_by"])
    _reopen(milestone, actor=actor, reason=_criteria_changed())
    names = {"text": criterion.text, "milestone": criterion.milestone.title}
    if met:
        summary = _("Acceptance criterion “%(text)s” of “%(milestone)s” met") % names
    else:
        summary = _("Acceptance criterion “%(text)s” of “%(milestone)s” reopened") % names
    activity_record(
        project=criterion.milestone.phase.project,
        actor=actor,
        verb="criterion.met" if met else "criterion.unmet",
        summary=summary,
    )
    return criterion


@transaction.atomic
def deliverable_create(
    *,
    actor: User,
    milestone: Milestone,
    title: str,
    description: str = "",
    upload: UploadedFile | None = None,
) -> Deliverable:
    """Adds a deliverable and, when a file comes with it, its first version."""
    milestone = _locked_milestone(milestone)
    deliverable = Deliverable(milestone=milestone, title=title, description=description)
    deliverable.full_clean()
    deliverable.save()
    _reopen(
        milestone,
        actor=actor,
        reason=_("deliverable “%(title)s” added") % {"title": deliverable.title},
    )
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="deliverable.created",
        summary=_("Deliverable “%(title)s” added to “%(milestone)s”")
        % {"title": title, "milestone": milestone.title},
    )
    if upload is not None:
        version_upload(actor=actor, deliverable=deliverable, upload=upload)
    return deliverable


def _digest(upload: UploadedFile) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def _reopen_for(milestone: Milestone, *, actor: User, deliverable: Deliverable) -> None:
    """A new file means work on the milestone, and is not what was submitted or signed."""
    if milestone.status in (Milestone.Status.PLANNED, Milestone.Status.CHANGES_REQUESTED):
        milestone.status = Milestone.Status.IN_PROGRESS
        milestone.save(update_fields=["status"])
        return
    reason = _("“%(title)s” has a new file") % {"title": deliverable.title}
    _reopen(milestone, actor=actor, reason=reason)


@transaction.atomic
def version_upload(
    *, actor: User, deliverable: Deliverable, upload: UploadedFile
) -> DeliverableVersion:
    """Stores a new version under a generated name with its SHA-256. `upload.content_type`
    must be the type its content was checked to be (see clientprogress.files)."""
    milestone = _locked_milestone(deliverable.milestone)
    sha256, size = _digest(upload)
    last = deliverable.versions.aggregate(last=Max("number"))["last"] or 0
    version = DeliverableVersion(
        deliverable=deliverable,
        number=last + 1,
        original_name=Path(upload.name).name[-255:],
        content_type=upload.content_type,
        size=size,
        sha256=sha256,
        uploaded_by=actor,
    )
    version.file.save(upload.name, upload, save=False)
    version.full_clean()
    version.save()
    _reopen_for(milestone, actor=actor, deliverable=deliverable)
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="deliverable.uploaded",
        summary=_("Version %(number)s of “%(title)s” uploaded: %(name)s")
        % {"number": version.number, "title": deliverable.title, "name": version.original_name},
    )
    return version


@transaction.atomic
def milestone_submit(*, actor: User, milestone: Milestone) -> Milestone:
    """Asks the client's contacts to sign the milestone off; refused with a ValidationError
    listing what is missing."""
    milestone = _locked_milestone(milestone)
    blockers = submission_blockers(milestone=milestone)
    if blockers:
        raise ValidationError(blockers)
    milestone.status = Milestone.Status.AWAITING_SIGNOFF
    milestone.revision += 1
    milestone.submitted_at = timezone.now()
    milestone.full_clean()
    milestone.save(update_fields=["status", "revision", "submitted_at"])
    project = milestone.phase.project
    names = {"title": milestone.title, "round": milestone.revision}
    activity_record(
        project=project,
        actor=actor,
        verb="milestone.submitted",
        summary=_("Milestone “%(title)s” submitted for sign-off (round %(round)s)") % names,
        client_visible=True,
    )
    contacts = User.objects.filter(contact__client_id=project.client_id, is_active=True)
    notify(
        recipient_ids=contacts.values_list("pk", flat=True),
        kind=Notification.Kind.SIGNOFF_REQUESTED,
        title=_("Please sign off “%(title)s”") % names,
        text=_("%(project)s: the milestone “%(title)s” is ready for your sign-off.")
        % {"project": project.name, "title": milestone.title},
        dedupe_key=f"signoff_requested:{milestone.pk}:{milestone.revision}",
        link=reverse("portal:signoff", args=[milestone.pk]),
        project_id=project.pk,
        target=f"milestone:{milestone.pk}",
    )
    return milestone


@transaction.atomic
def milestone_complete(*, actor: User, milestone: Milestone) -> Milestone:
    """Closes a milestone that needs no client sign-off, once its criteria are met."""
    milestone = _locked_milestone(milestone)
    if milestone.requires_signoff:
        raise ValidationError(_("The client signs this milestone off; submit it instead."))
    if milestone.status == Milestone.Status.APPROVED:
        raise ValidationError(_("This milestone is already completed."))
    if milestone.criteria.filter(met_at__isnull=True).exists():
        raise ValidationError(_("Meet every acceptance criterion first."))
    milestone.status, milestone.approved_at = Milestone.Status.APPROVED, timezone.now()
    milestone.save(update_fields=["status", "approved_at"])
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="milestone.completed",
        summary=_("Milestone “%(title)s” completed") % {"title": milestone.title},
        client_visible=True,
    )
    return milestone


def _refuse_unless_open(milestone: Milestone) -> None:
    """What the client is asked to sign, or signed, keeps its criteria and deliverables."""
    if milestone.status == Milestone.Status.AWAITING_SIGNOFF:
        raise ValidationError(
            _("“%(title)s” is awaiting the client's sign-off: nothing can be deleted from it now.")
            % {"title": milestone.title}
        )
    if milestone.status == Milestone.Status.APPROVED:
        raise ValidationError(
            _("“%(title)s” is approved: its criteria and deliverables stay as they were signed.")
            % {"title": milestone.title}
        )


def _undeletable(deleted_at: datetime.datetime | None, title: str) -> None:
    if deleted_at is not None and undo_expired(deleted_at, seconds=settings.UNDO_SECONDS):
        raise ValidationError(
            _("“%(title)s” was deleted too long ago to bring it back.") % {"title": title}
        )


@transaction.atomic
def criterion_delete(*, actor: User, criterion: AcceptanceCriterion) -> AcceptanceCriterion:
    """Deletes the criterion; criterion_restore brings it back within UNDO_SECONDS, and
    deleted_purge removes it for good after that."""
    milestone = _locked_milestone(criterion.milestone)
    _refuse_unless_open(milestone)
    criterion = AcceptanceCriterion.with_deleted.select_for_update().get(pk=criterion.pk)
    if criterion.deleted_at is None:
        criterion.deleted_at = timezone.now()
        criterion.save(update_fields=["deleted_at"])
        activity_record(
            project=milestone.phase.project,
            actor=actor,
            verb="criterion.deleted",
            summary=_("Acceptance criterion “%(text)s” deleted from “%(milestone)s”")
            % {"text": criterion.text, "milestone": milestone.title},
        )
    return criterion


@transaction.atomic
def criterion_restore(*, actor: User, criterion: AcceptanceCriterion) -> AcceptanceCriterion:
    milestone = _locked_milestone(criterion.milestone)
    criterion = AcceptanceCriterion.with_deleted.select_for_update().get(pk=criterion.pk)
    if criterion.deleted_at is None:
        return criterion
    _undeletable(criterion.deleted_at, criterion.text)
    _refuse_unless_open(milestone)
    criterion.deleted_at = None
    criterion.save(update_fields=["deleted_at"])
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="criterion.restored",
        summary=_("Acceptance criterion “%(text)s” of “%(milestone)s” brought back")
        % {"text": criterion.text, "milestone": milestone.title},
    )
    return criterion


@transaction.atomic
def deliverable_delete(*, actor: User, deliverable: Deliverable) -> Deliverable:
    """Deletes a deliverable that has no file yet (a file may be named in a sign-off); see
    criterion_delete for the undo."""
    milestone = _locked_milestone(deliverable.milestone)
    _refuse_unless_open(milestone)
    deliverable = Deliverable.with_deleted.select_for_update().get(pk=deliverable.pk)
    if deliverable.versions.exists():
        raise ValidationError(
            _("“%(title)s” has files: a deliverable with versions cannot be deleted.")
            % {"title": deliverable.title}
        )
    if deliverable.deleted_at is None:
        deliverable.deleted_at = timezone.now()
        deliverable.save(update_fields=["deleted_at"])
        activity_record(
            project=milestone.phase.project,
            actor=actor,
            verb="deliverable.deleted",
            summary=_("Deliverable “%(title)s” deleted from “%(milestone)s”")
            % {"title": deliverable.title, "milestone": milestone.title},
        )
    return deliverable


@transaction.atomic
def deliverable_restore(*, actor: User, deliverable: Deliverable) -> Deliverable:
    milestone = _locked_milestone(deliverable.milestone)
    deliverable = Deliverable.with_deleted.select_for_update().get(pk=deliverable.pk)
    if deliverable.deleted_at is None:
        return deliverable
    _undeletable(deliverable.deleted_at, deliverable.title)
    _refuse_unless_open(milestone)
    deliverable.deleted_at = None
    deliverable.save(update_fields=["deleted_at"])
    activity_record(
        project=milestone.phase.project,
        actor=actor,
        verb="deliverable.restored",
        summary=_("Deliverable “%(title)s” of “%(milestone)s” brought back")
        % {"title": deliverable.title, "milestone": milestone.title},
    )
    return deliverable


def deleted_purge(*, now: datetime.datetime) -> int:
    """Removes for good the criteria and deliverables deleted longer ago than they can be
    brought back. Each statement deletes only what is past its time, so a second run (or a
    second beat) finds nothing."""
    before = now - datetime.timedelta(seconds=settings.UNDO_SECONDS)
    removed = 0
    for model in (AcceptanceCriterion, Deliverable):
        # Only a deliverable without files can be deleted, and a deleted one takes no upload.
        count, _by_model = model.with_deleted.filter(deleted_at__lt=before).delete()
        removed += count
    return removed
