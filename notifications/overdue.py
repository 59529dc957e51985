"""The overdue checks: due soon, overdue, escalation and the sign-off reminder.

One run is one INSERT … SELECT: the open items that crossed a line, times the people to tell,
minus the notifications that already exist. The unique (recipient, dedupe key) constraint
claims each notification, so concurrent or repeated runs make each exactly once. The key holds
the level, the item and its due date (the sign-off round and period for reminders), so moving
a due date re-arms the item and finishing it stops it."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Concat, JSONObject
from django.db.models.sql.compiler import SQLCompiler
from django.urls import reverse

from milestones.models import Milestone
from projects.models import ClientContact, Project, TaskCard
from projects.selectors import client_zones, due_before_in_zone, zones_today

from .models import Notification, NotificationPreference
from .services import emails_enqueue

User = get_user_model()

Kind = Notification.Kind
FINISHED = [Project.Status.COMPLETED, Project.Status.ARCHIVED]


class IsoDate(Func):
    """YYYY-MM-DD whatever the database's date style."""

    output_field = CharField()

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM-DD')")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        return self.as_sql(compiler, connection, template="%(expressions)s")


class WholePeriodsSince(Func):
    """How many whole periods of `seconds` have passed from the field's time to `now`."""

    output_field = IntegerField()

    def __init__(self, field: str, *, now: datetime.datetime, seconds: int) -> None:
        super().__init__(Value(now), F(field))
        self.seconds = int(seconds)

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        template = f"FLOOR(EXTRACT(EPOCH FROM (%(expressions)s)) / {self.seconds})::integer"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ")

    def as_sqlite(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: object
    ) -> tuple[str, list]:
        template = f"CAST((julianday(%(expressions)s)) * 86400 / {self.seconds} AS INTEGER)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(")


@dataclass(frozen=True)
class Lines:
    """Per client time zone, the due dates that separate the levels at one moment."""

    today: dict[str, datetime.date]  # due before it: overdue
    soon: dict[str, datetime.date]  # due before it and not overdue: due soon
    escalate: dict[str, datetime.date]  # due before it: escalated

    @classmethod
    def at(cls, now: datetime.datetime, zones: list[str]) -> "Lines":
        """A due date ends at midnight in the client's zone: an item is overdue once the local
        date is past it, due soon when that midnight is within the window, escalated that many
        hours after it. Hours are elapsed hours, across daylight-saving changes too."""
        soon = now + datetime.timedelta(hours=settings.NOTIFICATIONS_DUE_SOON_HOURS)
        late = now - datetime.timedelta(hours=settings.NOTIFICATIONS_ESCALATE_AFTER_HOURS)

        return cls(
            today=zones_today(zones, now=now),
            soon=zones_today(zones, now=soon),
            escalate=zones_today(zones, now=late),
        )


def _due_before(
    lines: dict[str, datetime.date],
    project: str,
    *,
    not_before: dict[str, datetime.date] | None = None,
) -> Q:
    """Due before the line of the item's client's zone (and not before `not_before`)."""
    by_zone = due_before_in_zone(
        lines, zone=f"{project}__client__time_zone", due="due_date", not_before=not_before
    )
    # The same bounds over all zones at once: a range the due-date index can scan.
    span = Q(due_date__lt=max(lines.values()))
    if not_before is not None:
        span &= Q(due_date__gte=min(not_before.values()))
    return span & by_zone


def _page(name: str, project: str) -> Concat:
    """A project page's path, built by the database for each row."""
    marker = 2147483647
    before, after = reverse(name, kwargs={"project_id": marker}).split(str(marker))
    return Concat(Value(before), F(project), Value(after), output_field=CharField())


def _flag(condition: Q | bool) -> ExpressionWrapper | Value:
    if isinstance(condition, bool):
        return Value(condition, output_field=BooleanField())
    return ExpressionWrapper(condition, output_field=BooleanField())


@dataclass(frozen=True)
class Tell:
    """Who hears of one level of one kind of item."""

    assignee: bool = False
    pm: bool = False
    contacts: Q | bool = False
    managers: bool = False


# The items' columns, in the order every kind of item selects them.
COLUMNS = [
    "kind",
    "project_id",
    "client_id",
    "pm_id",
    "assignee_id",
    "title",
    "target",
    "link",
    "portal_link",
    "data",
    "dedupe_key",
    "to_assignee",
    "to_pm",
    "to_contacts",
    "to_managers",
]


def _items(
    queryset: QuerySet,
    *,
    kind: str,
    item: str,
    project: str,
    tell: Tell,
    key: list,
    data: dict,
) -> QuerySet:
    no_user = Value(None, output_field=IntegerField())
    columns = {
        "kind": Value(kind, output_field=CharField()),
        "project_id": F(project),
        "client_id": F(f"{project}__client"),
        "pm_id": F(f"{project}__pm"),
        "assignee_id": F("assignee") if tell.assignee else no_user,
        "title": F("title"),
        "target": Concat(Value(f"{item}:"), F("pk"), output_field=CharField()),
        "link": _page("projects:detail", project),
        "portal_link": _page("portal:project", project),
        "data": JSONObject(**data),
        "dedupe_key": Concat(Value(f"{kind}:{item}:"), F("pk"), *key, output_field=CharField()),
        "to_assignee": _flag(tell.assignee),
        "to_pm": _flag(tell.pm),
        "to_contacts": _flag(tell.contacts),
        "to_managers": _flag(tell.managers),
    }
    return (
        queryset.exclude(**{f"{project}__status__in": FINISHED})
        .order_by()
        .values(**{f"n_{name}": columns[name] for name in COLUMNS})
    )


def _card_items(lines: Lines) -> list[QuerySet]:
    cards = TaskCard.objects.exclude(status=TaskCard.Status.DONE)
    client_owes = Q(responsible=TaskCard.Responsible.CLIENT, client_visible=True)
    due = [Value(":"), IsoDate("due_date")]
    data = {"due": IsoDate("due_date"), "side": F("responsible")}
    data["tz"] = F("project__client__time_zone")
    levels = [
        (
            Kind.DUE_SOON,
            _due_before(lines.soon, "project", not_before=lines.today),
            Tell(assignee=True, contacts=client_owes),
        ),
        (
            Kind.OVERDUE,
            _due_before(lines.today, "project"),
            Tell(assignee=True, pm=True, contacts=client_owes),
        ),
        (Kind.ESCALATION, _due_before(lines.escalate, "project"), Tell(managers=True)),
    ]
    return [
        _items(
            cards.filter(window),
            kind=kind,
            item="card",
            project="project",
            tell=tell,
            key=due,
            data=data,
        )
        for kind, window, tell in levels
    ]


def _milestone_items(lines: Lines, now: datetime.datetime) -> list[QuerySet]:
    project = "phase__project"
    milestones = Milestone.objects.exclude(status=Milestone.Status.APPROVED)
    awaiting = Q(status=Milestone.Status.AWAITING_SIGNOFF)
    side = Case(When(awaiting, then=Value("client")), default=Value("team"))
    data = {"due": IsoDate("due_date"), "side": side, "tz": F(f"{project}__client__time_zone")}
    due = [Value(":"), IsoDate("due_date")]
    levels = [
        (
            Kind.DUE_SOON,
            _due_before(lines.soon, project, not_before=lines.today),
            Tell(pm=True, contacts=awaiting),
        ),
        (Kind.OVERDUE, _due_before(lines.today, project), Tell(pm=True, contacts=awaiting)),
        (Kind.ESCALATION, _due_before(lines.escalate, project), Tell(managers=True)),
    ]
    items = [
        _items(
            milestones.filter(window),
            kind=kind,
            item="milestone",
            project=project,
            tell=tell,
            key=due,
            data=data,
        )
        for kind, window, tell in levels
    ]
    return [*items, _signoff_reminders(milestones.filter(awaiting), now, data)]


def _signoff_reminders(awaiting: QuerySet, now: datetime.datetime, data: dict) -> QuerySet:
    """A reminder once in every full period the client has kept a submission waiting."""
    days = settings.NOTIFICATIONS_SIGNOFF_REMINDER_DAYS
    periods = WholePeriodsSince("submitted_at", now=now, seconds=days * 86400)
    waiting = awaiting.filter(submitted_at__lte=now - datetime.timedelta(days=days))
    return _items(
        waiting,
        kind=Kind.SIGNOFF_REMINDER,
        item="milestone",
        project="phase__project",
        tell=Tell(contacts=True),
        key=[Value(":r"), F("revision"), Value(":"), periods],
        data=data | {"waited_days": periods * Value(days)},
    )


# ORDER BY does two jobs. Concurrent runs insert shared rows in the same order, so one waits
# for the other instead of both deadlocking. And sorting reads every candidate before the
# first insert, so NOT EXISTS never scans rows this statement is adding (an empty table's
# statistics invite a sequential scan that would otherwise grow with each row inserted).
INSERT = """
WITH items ({columns}) AS ({items}),
recipients AS (
    SELECT items.*, items.assignee_id AS user_id FROM items WHERE items.to_assignee
    UNION ALL
    SELECT items.*, items.pm_id FROM items WHERE items.to_pm
    UNION ALL
    SELECT items.*, contact.user_id FROM items
    JOIN {contact} contact ON contact.client_id = items.client_id WHERE items.to_contacts
    UNION ALL
    SELECT items.*, manager.id FROM items CROSS JOIN {user} manager
    WHERE items.to_managers AND manager.role = %s
)
INSERT INTO {notification} (
    recipient_id, kind, project_id, target, title, text, link, data, dedupe_key, created_at,
    email_state, email_attempts, email_last_error, email_due_at
)
SELECT
    person.id, r.kind, r.project_id, r.target, r.title, '',
    CASE WHEN person.role = %s THEN r.portal_link ELSE r.link END,
    r.data, r.dedupe_key, %s,
    CASE WHEN EXISTS (
        SELECT 1 FROM {preference} choice
        WHERE choice.user_id = person.id AND choice.kind = r.kind AND NOT choice.by_email
    ) THEN %s ELSE %s END,
    0, '', %s
FROM recipients r JOIN {user} person ON person.id = r.user_id
WHERE person.is_active AND NOT EXISTS (
    SELECT 1 FROM {notification} done
    WHERE done.recipient_id = person.id AND done.dedupe_key = r.dedupe_key
)
ORDER BY person.id, r.dedupe_key
ON CONFLICT DO NOTHING
RETURNING id, email_state
"""


@dataclass(frozen=True)
class CheckResult:
    created: list[int]  # the new notifications
    emailed: list[int]  # those of them whose mail is on its way


def overdue_check(*, now: datetime.datetime) -> CheckResult:
    """Creates every notification the moment calls for that does not exist yet, in a fixed
    number of queries; their mails are enqueued once the transaction commits."""
    statement = insert_statement(now=now)
    if statement is None:
        return CheckResult(created=[], emailed=[])
    pending = Notification.EmailState.PENDING
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(*statement)
        rows = cursor.fetchall()
        emailed = [pk for pk, state in rows if state == pending]
        transaction.on_commit(lambda: emails_enqueue(notification_ids=emailed), robust=True)
    return CheckResult(created=[pk for pk, _state in rows], emailed=emailed)


def insert_statement(*, now: datetime.datetime) -> tuple[str, list] | None:
    """The check's one INSERT and its parameters; None when there is no client at all."""
    zones = client_zones()
    if not zones:
        return None
    lines = Lines.at(now, zones)
    first, *rest = [*_card_items(lines), *_milestone_items(lines, now)]
    items_sql, items_params = first.union(*rest, all=True).query.sql_with_params()
    sql = INSERT.format(
        columns=", ".join(COLUMNS),
        items=items_sql,
        contact=ClientContact._meta.db_table,
        user=User._meta.db_table,
        notification=Notification._meta.db_table,
        preference=NotificationPreference._meta.db_table,
    )
    moment = connection.ops.adapt_datetimefield_value(now)
    states = [Notification.EmailState.SKIPPED, Notification.EmailState.PENDING]
    return sql, [*items_params, User.Role.MANAGER, User.Role.CLIENT, moment, *states, moment]
