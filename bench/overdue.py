"""Overdue check figures: wall time, queries and notifications created by the first run over a
large portfolio, and by a second run at the same moment (which must create none).

    DEBUG=true DATABASE_URL=postgres://… .venv/bin/python bench/overdue.py [--projects 500]

Fills a throwaway test database with 200 cards and 20 milestones per project (100,000 cards
and 10,000 milestones for 500 projects) spread over six months around today, in clients of
five time zones. Past-due work is mostly done, as in a live portfolio; what is left open is
what the check finds. Mails are counted, not enqueued."""

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from milestones.models import Milestone, Phase  # noqa: E402
from notifications import overdue  # noqa: E402
from notifications.models import Notification  # noqa: E402
from projects.models import Client, ClientContact, Project, TaskCard, User  # noqa: E402

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Australia/Sydney", "UTC"]
CARDS_PER_PROJECT, MILESTONES_PER_PROJECT = 200, 20


def users(role: str, count: int, prefix: str) -> list[User]:
    return User.objects.bulk_create(
        User(email=f"{prefix}{n}@bench.example", role=role, password="!") for n in range(count)
    )


def fill(project_count: int, rng: random.Random) -> None:
    today = timezone.localdate()
    clients = Client.objects.bulk_create(
        Client(name=f"Client {n}", time_zone=ZONES[n % len(ZONES)])
        for n in range(max(project_count // 10, 1))
    )
    pms, members = users("pm", 50, "pm"), users("member", 300, "dev")
    users("manager", 2, "boss")
    contacts = users("client", 2 * len(clients), "contact")
    ClientContact.objects.bulk_create(
        ClientContact(user=user, client=clients[n // 2]) for n, user in enumerate(contacts)
    )
    projects = Project.objects.bulk_create(
        Project(
            client=clients[n % len(clients)],
            name=f"Project {n}",
            code=f"B-{n}",
            pm=pms[n % len(pms)],
            start_date=today - datetime.timedelta(days=120),
            end_date=today + datetime.timedelta(days=120),
            status=Project.Status.ARCHIVED if n % 25 == 0 else Project.Status.ACTIVE,
        )
        for n in range(project_count)
    )
    phases = Phase.objects.bulk_create(
        Phase(project=project, kind=kind, order=order)
        for project in projects
        for order, kind in enumerate(Phase.Kind.values, start=1)
    )
    Milestone.objects.bulk_create(
        (milestone(phases[n // 5], n, today, rng) for n in range(len(projects) * 20)),
        batch_size=5000,
    )
    TaskCard.objects.bulk_create(
        (
            card(project, n, today, rng, rng.choice(members))
            for project in projects
            for n in range(CARDS_PER_PROJECT)
        ),
        batch_size=5000,
    )


def due_and_done(today: datetime.date, rng: random.Random) -> tuple[datetime.date, bool]:
    due = today + datetime.timedelta(days=rng.randint(-90, 90))
    return due, rng.random() < (0.9 if due < today else 0.2)


def milestone(phase: Phase, n: int, today: datetime.date, rng: random.Random) -> Milestone:
    due, done = due_and_done(today, rng)
    now = timezone.now()
    if done:
        status, submitted = Milestone.Status.APPROVED, now
    elif rng.random() < 0.3:
        status, submitted = Milestone.Status.AWAITING_SIGNOFF, now - datetime.timedelta(days=9)
    else:
        status, submitted = Milestone.Status.IN_PROGRESS, None
    return Milestone(
        phase=phase,
        title=f"Milestone {n}",
        due_date=due,
        status=status,
        submitted_at=submitted,
        approved_at=now if done else None,
        revision=1 if submitted else 0,
    )


def card(
    project: Project, n: int, today: datetime.date, rng: random.Random, assignee: User
) -> TaskCard:
    due, done = due_and_done(today, rng)
    client_owes = rng.random() < 0.1
    return TaskCard(
        project=project,
        title=f"Card {n}",
        status=TaskCard.Status.DONE if done else TaskCard.Status.TODO,
        position=n,
        due_date=due,
        assignee=None if client_owes else assignee,
        responsible=TaskCard.Responsible.CLIENT if client_owes else TaskCard.Responsible.TEAM,
        client_visible=client_owes,
    )


def check_run(label: str, now: datetime.datetime) -> None:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = overdue.overdue_check(now=now)
        seconds = time.perf_counter() - started
    print(
        f"{label:<11} {seconds:7.3f} s  {len(queries):3d} queries  "
        f"{len(result.created):7,d} notifications created  {len(result.emailed):7,d} to mail"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=500)
    args = parser.parse_args()
    setup_test_environment()
    if connection.vendor != "sqlite":  # never the database the test suite keeps between runs
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    # The figures are the check's own; handing tens of thousands of mails to the broker is not.
    overdue.emails_enqueue = lambda *, notification_ids: None
    try:
        started = time.perf_counter()
        with transaction.atomic():
            fill(args.projects, random.Random(5))
        if connection.vendor == "postgresql":  # fresh statistics, as autovacuum would have
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        open_cards = TaskCard.objects.exclude(status=TaskCard.Status.DONE).count()
        print(
            f"{connection.vendor}: {args.projects} projects, {TaskCard.objects.count():,d} cards "
            f"({open_cards:,d} open), {Milestone.objects.count():,d} milestones, "
            f"filled in {time.perf_counter() - started:.1f} s"
        )
        now = timezone.now()
        overdue.insert_statement(now=now)  # a worker has imported and compiled everything once
        check_run("first run", now)
        check_run("second run", now)
        check_run("15 min later", now + datetime.timedelta(minutes=15))
        kinds = Notification.objects.values_list("kind").order_by("kind")
        counts = {kind: kinds.filter(kind=kind).count() for kind in Notification.Kind.values}
        print("by kind:", {kind: count for kind, count in counts.items() if count})
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
