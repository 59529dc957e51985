"""Status report figures: render time of one report against its number of cards, next to
WeasyPrint alone on the same HTML (the limit), and the weekly job over many projects.

    DEBUG=true .venv/bin/python bench/report.py [--cards 50 200 1000] [--projects 100]

Runs in a throwaway test database (PostgreSQL when DATABASE_URL is set, SQLite otherwise).
Peak memory is this process's maximum resident set: the job runs here the way one worker
child runs it."""

import argparse
import datetime
import io
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")

import django
import pypdf

django.setup()

from django.conf import settings  # noqa: E402
from django.core.mail.backends.base import BaseEmailBackend  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench import data as bench_data  # noqa: E402
from milestones.models import Milestone  # noqa: E402
from projects.models import Project, TaskCard, User  # noqa: E402
from reports import rendering, services  # noqa: E402
from reports.models import ReportDelivery  # noqa: E402
from reports.periods import Week  # noqa: E402
from reports.selectors import report_data  # noqa: E402

STATUSES = ["done", "done", "done", "in_progress", "todo", "in_review", "blocked", "todo"]


def project_with_cards(cards: int, *, pm: User, client_reports: bool = False) -> Project:
    today = timezone.localdate()
    project = bench_data.project(
        pm=pm,
        name=f"Project with {cards} cards 项目",
        start_date=today - datetime.timedelta(days=120),
        end_date=today + datetime.timedelta(days=120),
        mail_client_reports=client_reports,
    )
    phases = list(project.phases.order_by("order"))
    for index, phase in enumerate(phases):
        Milestone.objects.create(
            phase=phase,
            title=f"{phase.get_kind_display()} milestone",
            due_date=today + datetime.timedelta(days=index * 30 - 40),
            status=Milestone.Status.APPROVED if index < 2 else Milestone.Status.IN_PROGRESS,
            approved_at=timezone.now() if index < 2 else None,
        )
    rng = random.Random(cards)
    now = timezone.now()
    TaskCard.objects.bulk_create(
        TaskCard(
            project=project,
            title=f"Card {number}: {rng.choice(['API', 'UI', 'Data', '数据迁移'])} work item",
            status=(status := STATUSES[number % len(STATUSES)]),
            position=number,
            due_date=today + datetime.timedelta(days=rng.randint(-20, 20)),
            responsible=rng.choice(["team", "team", "team", "client"]),
            client_visible=rng.random() < 0.5,
            blocked_reason="Waiting for access" if status == "blocked" else "",
            source=rng.choice(["team"] * 9 + ["feedback"]),
            completed_at=now - datetime.timedelta(days=rng.randint(0, 20))
            if status == "done"
            else None,
        )
        for number in range(cards)
    )
    return project


def interleaved_medians(actions: list, repeat: int) -> list[float]:
    """Median seconds of each action, run in turns so that a busy machine slows all alike."""
    times: list[list[float]] = [[] for _ in actions]
    for _ in range(repeat):
        for index, action in enumerate(actions):
            start = time.perf_counter()
            action()
            times[index].append(time.perf_counter() - start)
    return [statistics.median(runs) for runs in times]


def render_figures(sizes: list[int], pm: User) -> None:
    week = Week.current(time_zone=settings.TIME_ZONE)
    print(
        f"{'cards':>6} {'pages':>6} {'KB':>5} {'data (s)':>9} {'html (s)':>9} "
        f"{'ours (s)':>9} {'bare (s)':>9} {'overhead':>9}"
    )
    for cards in sizes:
        project = project_with_cards(cards, pm=pm)

        def data(project: Project = project) -> object:
            return report_data(
                project_id=project.pk, week=week, audience="internal", now=timezone.now()
            )

        html = rendering.report_html(data())
        pdf = rendering.html_to_pdf(html)
        pages = len(pypdf.PdfReader(io.BytesIO(pdf)).pages)
        data_s, html_s, ours_s, bare_s = interleaved_medians(
            [
                data,
                lambda: rendering.report_html(data()),
                lambda: rendering.report_pdf(data()),
                lambda html=html: rendering.html_to_pdf(html),
            ],
            repeat=7 if cards <= 200 else 5,
        )
        overhead = 100 * (ours_s - bare_s) / bare_s
        print(
            f"{cards:>6} {pages:>6} {len(pdf) // 1024:>5} {data_s:>9.3f} {html_s:>9.3f} "
            f"{ours_s:>9.3f} {bare_s:>9.3f} {overhead:>8.1f}%"
        )


class SizeOnlyBackend(BaseEmailBackend):
    """Serialises each message as SMTP would, keeps only its size (not megabytes of PDFs)."""

    sizes: list[int] = []

    def send_messages(self, messages: list) -> int:
        self.sizes.extend(len(message.message().as_bytes()) for message in messages)
        return len(messages)


def weekly_figures(projects: int) -> None:
    for _ in range(2):
        bench_data.user(User.Role.MANAGER)
    pms = [bench_data.user(User.Role.PM) for _ in range(10)]
    for number in range(projects):
        project = project_with_cards(50, pm=pms[number % len(pms)], client_reports=number % 4 == 0)
        if number % 4 == 0:
            bench_data.contact(project.client)
    week = Week.last_complete()
    settings.EMAIL_BACKEND = "__main__.SizeOnlyBackend"
    start = time.perf_counter()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for project_id in services.weekly_project_ids():
        project = Project.objects.get(pk=project_id)
        for audience in services.weekly_audiences(project):
            services.report_render_weekly(project_id=project_id, week=week, audience=audience)
    rendered = time.perf_counter() - start
    for delivery_id in services.weekly_deliveries_claim(week=week):
        services.delivery_prepare(delivery_id=delivery_id)
        services.delivery_send(delivery_id=delivery_id)
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sent = ReportDelivery.objects.filter(state=ReportDelivery.State.SENT).count()
    mails, largest = len(SizeOnlyBackend.sizes), max(SizeOnlyBackend.sizes)
    print(
        f"weekly job, {projects} projects (50 cards each, Chinese text in every report, a "
        f"quarter with client versions): "
        f"{total:.1f} s total ({rendered:.1f} s rendering reports, "
        f"{total - rendered:.1f} s portfolios and {mails} mails for {sent} "
        f"recipients, largest mail {largest / 2**20:.1f} MB); peak RSS {peak:.0f} MB "
        f"(before the job {rss_before / 1024:.0f} MB)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--projects", type=int, default=100)
    args = parser.parse_args()

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = Path("/tmp/bench-report-media")
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        None if connection.vendor == "sqlite" else "bench_reports"
    )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        rendering.html_to_pdf("<p>warm-up: fonts and WeasyPrint's caches</p>")
        # The job first: this process's peak memory is then the job's, not the big renders'.
        weekly_figures(args.projects)
        render_figures(args.cards, bench_data.user(User.Role.PM))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
