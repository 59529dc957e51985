import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clientprogress.limits import fit_field

from .models import Activity, Project, TaskCard, User


def activity_record(
    *, project: Project, actor: User | None, verb: str, summary: str, client_visible: bool = False
) -> Activity:
    """Summaries quote titles people typed, several at a time: a long one is cut, never
    refused (the write it records has happened)."""
    return Activity.objects.create(
        project=project,
        actor=actor,
        verb=verb,
        summary=fit_field(Activity, "summary", summary),
        client_visible=client_visible,
    )


class StaleCard(Exception):
    """The card changed after the editor loaded it; `current` is the card as it is now."""

    def __init__(self, current: TaskCard) -> None:
        super().__init__(f"card {current.pk} is at version {current.version}")
        self.current = current


def project_lock(*, project_id: int) -> None:
    """Board writes of one project wait for each other, so that the positions of a column stay
    0..n-1, without duplicates or gaps, whatever order concurrent requests arrive in. Each one
    also raises the project's board version, which retires the board pages cached before it."""
    Project.objects.filter(pk=project_id).update(board_version=F("board_version") + 1)


def projects_lock(*, project_ids: Iterable[int | None]) -> None:
    """project_lock for each project, in one order, so that two writers never deadlock."""
    for project_id in sorted(set(project_ids) - {None}):
        project_lock(project_id=project_id)


def _column(project_id: int, status: str, *, without: int | None = None) -> list[tuple[int, int]]:
    """The (id, position) of a column's cards in board order."""
    cards = TaskCard.objects.filter(project_id=project_id, status=status).exclude(pk=without)
    return list(cards.order_by("position", "pk").values_list("pk", "position"))


def _renumber(column: list[tuple[int, int]], *, start: int = 0) -> None:
    """Stores start, start+1, … as the positions of `column`, writing only the cards that move."""
    moved = [
        TaskCard(pk=pk, position=index)
        for index, (pk, position) in enumerate(column, start=start)
        if position != index
    ]
    TaskCard.objects.bulk_update(moved, ["position"], batch_size=500)


def _locked_card(card: TaskCard, version: int) -> TaskCard:
    current = TaskCard.objects.select_for_update().select_related("project").get(pk=card.pk)
    if current.version != version:
        raise StaleCard(current)
    return current


def card_place(
    *, card: TaskCard, status: str, index: int | None = None, after_id: int | None = None
) -> str | None:
    """The one way a card gets its column and place, for every write that adds or moves one:
    puts the card into `status` before the card now at `index` (at the bottom when None), or
    right after `after_id` when that card is still in the column, and closes the gap it leaves
    in the column it came from (of another project too), so that every column stays numbered
    0..n-1. The caller holds project_lock of both projects and saves the card. Returns the
    column the card came from, None for a new card."""
    cards = TaskCard.objects.filter(pk=card.pk)
    came_from = None if card.pk is None else cards.values_list("project_id", "status").first()
    target = _column(card.project_id, status, without=card.pk)
    ids = [pk for pk, _position in target]
    if after_id in ids:
        index = ids.index(after_id) + 1
    elif index is None or index > len(target):
        index = len(target)
    card.status, card.position = status, max(index, 0)
    _renumber(target[: card.position])
    _renumber(target[card.position :], start=card.position + 1)
    if came_from is not None and came_from != (card.project_id, status):
        _renumber(_column(*came_from, without=card.pk))
    if came_from is None or came_from[1] != status:
        card.completed_at = timezone.now() if status == TaskCard.Status.DONE else None
    return None if came_from is None else came_from[1]


def column_renumber(*, project_id: int, status: str) -> None:
    """Closes the gaps cards deleted from a column left. The caller holds project_lock."""
    _renumber(_column(project_id, status))


def _save_card(card: TaskCard) -> None:
    """Positions are renumbered in the same transaction and checked by the database at commit,
    so the row-by-row uniqueness check would only see the half-moved column."""
    card.full_clean(exclude=["position"])
    card.version += 1
    card.save()


@transaction.atomic
def card_create(
    *,
    actor: User | None,
    project: Project,
    title: str,
    status: str = TaskCard.Status.TODO,
    **fields,
) -> TaskCard:
    """Adds a card at the bottom of its column."""
    project_lock(project_id=project.pk)
    fields.setdefault("created_by", actor)
    card = TaskCard(project=project, title=title, status=status, **fields)
    card.full_clean(exclude=["position"])
    card_place(card=card, status=status)
    card.save()
    activity_record(
        project=project,
        actor=actor,
        verb="card.created",
        summary=_("Card “%(title)s” added to %(column)s")
        % {"title": title, "column": card.get_status_display()},
        client_visible=card.client_visible,
    )
    return card


@transaction.atomic
def card_move(
    *,
    actor: User,
    card: TaskCard,
    version: int,
    status: str,
    index: int | None = None,
    after_id: int | None = None,
    blocked_reason: str = "",
) -> TaskCard:
    """Moves a card to a column and place; refused with StaleCard when `version` is not the
    card's version any more."""
    project_lock(project_id=card.project_id)
    current = _locked_card(card, version)
    if blocked_reason.strip():
        current.blocked_reason = blocked_reason.strip()
    old_status = card_place(card=current, status=status, index=index, after_id=after_id)
    _save_card(current)
    names = {"title": current.title, "column": current.get_status_display()}
    if old_status == status:
        summary = _("Card “%(title)s” reordered in %(column)s") % names
    else:
        names["from"] = TaskCard.Status(old_status).label
        summary = _("Card “%(title)s” moved from %(from)s to %(column)s") % names
    activity_record(
        project=current.project,
        actor=actor,
        verb="card.moved",
        summary=summary,
        client_visible=current.client_visible,
    )
    return current


def changed_fields(instance: object, changes: dict[str, object]) -> list[str]:
    """The names of the fields whose new value differs from the instance's."""
    return [name for name, value in changes.items() if getattr(instance, name) != value]


def fields_apply(instance: object, changes: dict[str, object]) -> list[str]:
    """Sets the values that differ and returns their field names."""
    changed = changed_fields(instance, changes)
    for name in changed:
        setattr(instance, name, changes[name])
    return changed


def field_labels(model: type, names: list[str]) -> str:
    """The fields' names as people read them, for activity lines."""
    return ", ".join(str(model._meta.get_field(name).verbose_name) for name in names)


@transaction.atomic
def card_update(
    *, actor: User, card: TaskCard, version: int, changes: dict[str, object]
) -> TaskCard:
    """Applies the changed fields; refused with StaleCard when `version` is not the card's
    version any more. A new status puts the card at the bottom of that column."""
    project_lock(project_id=card.project_id)
    current = _locked_card(card, version)
    changed = changed_fields(current, changes)
    if not changed:
        return current
    for name in changed:
        if name != "status":
            setattr(current, name, changes[name])
    if "status" in changed:
        card_place(card=current, status=str(changes["status"]))
    _save_card(current)
    activity_record(
        project=current.project,
        actor=actor,
        verb="card.updated",
        summary=_("Card “%(title)s” changed: %(fields)s")
        % {"title": current.title, "fields": field_labels(TaskCard, changed)},
        client_visible=current.client_visible,
    )
    return current


@transaction.atomic
def project_update(
    *, actor: User, project: Project, changes: dict[str, object], team: list[User]
) -> Project:
    """Saves the changed project details and team; phases keep their own dates."""
    project_lock(project_id=project.pk)
    project = Project.objects.get(pk=project.pk)
    changed = fields_apply(project, changes)
    project.full_clean()
    project.save()
    if {user.pk for user in team} != set(project.team.values_list("pk", flat=True)):
        project.team.set(team)
        changed.append("team")
    if changed:
        activity_record(
            project=project,
            actor=actor,
            verb="project.updated",
            summary=_("Project details changed: %(fields)s")
            % {"fields": field_labels(Project, changed)},
        )
    return project


PROFILE_FIELDS = ("full_name", "language", "time_zone")


@transaction.atomic
def user_profile_update(*, user: User, full_name: str, language: str, time_zone: str) -> User:
    """Saves the name, language and time zone a person chose for themselves, or refuses them all
    with a ValidationError by field; `user` itself is left as it was, so a refused change never
    shows on the page that reports it."""
    current = User.objects.select_for_update().get(pk=user.pk)
    current.full_name, current.language, current.time_zone = full_name.strip(), language, time_zone
    errors: dict[str, list[str]] = {}
    if not current.full_name:
        errors["full_name"] = [_("Enter your name.")]
    if language not in dict(settings.LANGUAGES):
        # The field's own choices let "" pass: a stored blank means "follow the browser".
        errors["language"] = [
            _("“%(value)s” is not one of the languages offered.") % {"value": language}
        ]
    others = [field.name for field in User._meta.fields if field.name not in PROFILE_FIELDS]
    try:
        current.clean_fields(exclude=[*others, *errors])
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    current.save(update_fields=PROFILE_FIELDS)
    return current


def undo_expired(done_at: datetime.datetime, *, seconds: int) -> bool:
    """Whether a thing done at `done_at` is past the time it could be undone in."""
    return timezone.now() - done_at > datetime.timedelta(seconds=seconds)


@transaction.atomic
def card_archive(*, actor: User, card: TaskCard) -> TaskCard:
    """Takes the card off the board, the portal, the reports and every count; it stays in the
    database and in the activity. The cards below it move up. Archiving twice changes nothing."""
    project_lock(project_id=card.project_id)
    current = TaskCard.with_archived.select_for_update().select_related("project").get(pk=card.pk)
    if current.archived_at is not None:
        return current
    current.archived_at, current.position = timezone.now(), None
    current.version += 1
    current.save(update_fields=["archived_at", "position", "version", "updated_at"])
    column_renumber(project_id=current.project_id, status=current.status)
    activity_record(
        project=current.project,
        actor=actor,
        verb="card.archived",
        summary=_("Card “%(title)s” archived") % {"title": current.title},
        client_visible=current.client_visible,
    )
    return current


@transaction.atomic
def card_unarchive(*, actor: User, card: TaskCard, index: int | None = None) -> TaskCard:
    """Undoes card_archive within UNDO_SECONDS: the card goes back to its column, at `index`
    (the place it had) or at the bottom. Refused with a ValidationError once too late."""
    project_lock(project_id=card.project_id)
    current = TaskCard.with_archived.select_for_update().select_related("project").get(pk=card.pk)
    if current.archived_at is None:
        return current
    if undo_expired(current.archived_at, seconds=settings.UNDO_SECONDS):
        raise ValidationError(
            _("“%(title)s” was archived too long ago to undo here; ask an administrator.")
            % {"title": current.title}
        )
    current.archived_at = None
    card_place(card=current, status=current.status, index=index)
    _save_card(current)
    activity_record(
        project=current.project,
        actor=actor,
        verb="card.unarchived",
        summary=_("Card “%(title)s” brought back to %(column)s")
        % {"title": current.title, "column": current.get_status_display()},
        client_visible=current.client_visible,
    )
    return current
