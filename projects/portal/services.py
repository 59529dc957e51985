"""Writes the client makes from the portal (feedback, ticking off what they owe) and the
invitations that bring a client contact in."""

from dataclasses import dataclass
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.template import loader
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from clientprogress.limits import fit, fit_field
from milestones.models import Milestone
from notifications.models import AccountMail, Notification
from notifications.services import account_mail_queue, notify
from projects.models import ClientContact, Project, TaskCard, User
from projects.services import (
    StaleCard,
    activity_record,
    card_create,
    card_move,
    card_place,
    project_lock,
    undo_expired,
)


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Like a password-reset link (expires after PASSWORD_RESET_TIMEOUT, dies once a password
    is set), but an invitation link cannot be used as a reset link or the other way round."""

    key_salt = "projects.portal_services.InvitationTokenGenerator"


invitation_tokens = InvitationTokenGenerator()


def _project_link(project: Project) -> str:
    return reverse("projects:detail", args=[project.pk])


@dataclass(frozen=True)
class ClientDone:
    """Where an item the client marked done came from, for their undo."""

    card_id: int
    status: str
    position: int
    version: int


@transaction.atomic
def card_mark_done_by_client(*, card: TaskCard, actor: User) -> ClientDone | None:
    """The client ticks off an item they owe. None when it was done already (a double click,
    another contact, the team)."""
    # Under the project's lock a second tick (or the team's move) waits, then finds it done.
    project_lock(project_id=card.project_id)
    owed = TaskCard.objects.filter(
        pk=card.pk, responsible=TaskCard.Responsible.CLIENT, client_visible=True
    ).exclude(status=TaskCard.Status.DONE)
    current = owed.select_for_update().first()
    if current is None:
        return None
    before = {"status": current.status, "position": current.position}
    card_place(card=current, status=TaskCard.Status.DONE)
    current.version += 1
    current.save(update_fields=["status", "position", "completed_at", "version", "updated_at"])
    card.refresh_from_db()
    project = card.project
    names = {"name": actor, "title": card.title}
    activity_record(
        project=project,
        actor=actor,
        verb="card.client_done",
        summary=_("Card “%(title)s” marked done by the client") % names,
        client_visible=True,
    )
    notify(
        recipient_ids=[project.pm_id],
        kind=Notification.Kind.CLIENT_ITEM_DONE,
        title=_("%(name)s marked “%(title)s” done") % names,
        link=_project_link(project),
        dedupe_key=f"card:{card.pk}:client-done:{card.version}",
        project_id=project.pk,
        target=f"card:{card.pk}",
    )
    return ClientDone(card.pk, before["status"], before["position"], card.version)


@transaction.atomic
def card_undo_done_by_client(*, card: TaskCard, actor: User, done: ClientDone) -> TaskCard:
    """Takes back the client's own "mark done" within PORTAL_UNDO_SECONDS: the item goes back to
    the column and place it came from and the PM is told. Refused with a ValidationError once
    too late, or when anyone changed the item since."""
    project_lock(project_id=card.project_id)
    current = TaskCard.objects.select_related("project").get(pk=card.pk)
    names = {"name": actor, "title": current.title}
    if current.status != TaskCard.Status.DONE or current.version != done.version:
        raise ValidationError(
            _("“%(title)s” has changed since you marked it done; the team has it now.") % names
        )
    if undo_expired(current.completed_at, seconds=settings.PORTAL_UNDO_SECONDS):
        raise ValidationError(
            _("“%(title)s” was marked done too long ago to undo; send the team feedback instead.")
            % names
        )
    try:
        current = card_move(
            actor=actor,
            card=current,
            version=done.version,
            status=done.status,
            index=done.position,
        )
    except StaleCard as stale:
        raise ValidationError(
            _("“%(title)s” has changed since you marked it done; the team has it now.") % names
        ) from stale
    notify(
        recipient_ids=[current.project.pm_id],
        kind=Notification.Kind.CLIENT_ITEM_DONE,
        title=_("%(name)s took back “%(title)s”: it is not done after all") % names,
        link=_project_link(current.project),
        dedupe_key=f"card:{current.pk}:client-undone:{current.version}",
        project_id=current.project_id,
        target=f"card:{current.pk}",
    )
    return current


@transaction.atomic
def feedback_create(
    *,
    project: Project,
    actor: User,
    text: str,
    milestone: Milestone | None = None,
    attachment: File | None = None,
) -> TaskCard:
    """Client feedback becomes a card at the bottom of the PM's To do column."""
    text = text.strip()
    summary = fit(text.splitlines()[0] if text else "", 80)
    files = {}
    if attachment is not None:
        # Stored under a generated name: the client's file name is kept for display only.
        stored = f"{uuid4().hex}{Path(attachment.name).suffix.lower()}"
        files = {
            "attachment": File(attachment, name=stored),
            "attachment_name": fit_field(TaskCard, "attachment_name", attachment.name),
        }
    card = card_create(
        actor=actor,
        project=project,
        title=fit_field(TaskCard, "title", _("Feedback: %(summary)s") % {"summary": summary}),
        description=text,
        source=TaskCard.Source.FEEDBACK,
        milestone=milestone,
        assignee=project.pm,
        created_by=actor,
        client_visible=True,
        **files,
    )
    notify(
        recipient_ids=[project.pm_id],
        kind=Notification.Kind.FEEDBACK,
        title=_("%(name)s sent feedback on %(project)s") % {"name": actor, "project": project.name},
        text=text,
        link=_project_link(project),
        dedupe_key=f"card:{card.pk}:feedback",
        project_id=project.pk,
        target=f"card:{card.pk}",
    )
    return card


def invitation_path(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("invitation_accept", args=[uid, invitation_tokens.make_token(user)])


def _invitee(project: Project, email: str, full_name: str) -> User:
    """A new contact of the project's client, or the same one again while they have not yet
    chosen a password (the new mail carries a new link)."""
    user = User.objects.filter(email__iexact=email).select_related("contact").first()
    if user is None:
        user = User(email=email, full_name=full_name, role=User.Role.CLIENT)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        contact = ClientContact(user=user, client=project.client)
        contact.full_clean()
        contact.save()
        return user
    contact = getattr(user, "contact", None) if user.is_client else None
    if contact is None or contact.client_id != project.client_id:
        message = _("This address belongs to an account that is not a contact of %(client)s.")
        raise ValidationError({"email": message % {"client": project.client.name}})
    if user.has_usable_password():
        raise ValidationError(
            {"email": _("This contact has an account already: they can log in to the portal.")}
        )
    return user


@transaction.atomic
def contact_invite(*, actor: User, project: Project, email: str, full_name: str) -> User:
    """Creates (or re-invites) a contact of the project's client and mails a one-time link to
    set a password through the outbox, after the transaction commits."""
    user = _invitee(project, email.strip().lower(), full_name.strip())
    context = {
        "project": project,
        "inviter": actor,
        "invitee": user,
        "link": settings.SITE_URL + invitation_path(user),
        "days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
    }
    subject = loader.render_to_string("emails/invitation_subject.txt", context)
    body = loader.render_to_string("emails/invitation.txt", context)
    activity_record(
        project=project,
        actor=actor,
        verb="contact.invited",
        summary=_("%(email)s invited to the portal") % {"email": user.email},
    )
    account_mail_queue(kind=AccountMail.Kind.INVITATION, to=user.email, subject=subject, body=body)
    return user
