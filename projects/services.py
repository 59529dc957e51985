import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from milestones.models import Phase

from .models import Activity, Client, Project, TaskCard, User


def activity_record(
    *, project: Project, actor: User | None, verb: str, summary: str, client_visible: bool = False
) -> Activity:
    return Activity.objects.create(
        project=project, actor=actor, verb=verb, summary=summary, client_visible=client_visible
    )


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
def card_create(
    *,
    actor: User | None,
    project: Project,
    title: str,
    status: str = TaskCard.Status.TODO,
    **fields,
) -> TaskCard:
    """Adds a card at the bottom of its column."""
    last = project.cards.filter(status=status).aggregate(last=Max("position"))["last"]
    card = TaskCard(
        project=project,
        title=title,
        status=status,
        position=0 if last is None else last + 1,
        **fields,
    )
    card.full_clean()
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
