"""Portal and sign-off figures: page render time against the number of cards, sign-off
throughput, chain verification and certificate rendering.

    DEBUG=true .venv/bin/python bench/portal.py [--cards 50 500]

Runs in a throwaway test database (PostgreSQL when DATABASE_URL is set, SQLite otherwise)."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402


def timed(action: object, repeat: int) -> tuple[float, int]:
    """Median milliseconds over `repeat` runs, and the queries of the last run."""
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--signoffs", type=int, default=200)
    args = parser.parse_args()

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = Path("/tmp/bench-portal-media")
    if connection.vendor != "sqlite":  # never the database the test suite keeps between runs
        connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args: argparse.Namespace) -> None:
    from bench import data
    from milestones.certificate import signoff_certificate_pdf
    from milestones.signoff import signoff_chain_verify

    print(f"database: {connection.vendor}")
    for size in args.cards:
        project = data.project()
        contact = data.contact(project.client)
        for n in range(size):
            data.card(
                project,
                client_visible=n % 2 == 0,
                responsible="client" if n % 10 == 0 else "team",
            )
        for n in range(5):
            data.decide(data.awaiting_milestone(project, f"M{n}"), contact)
        http = HttpClient()
        http.force_login(contact)
        url = reverse("portal:project", args=[project.pk])
        http.get(url)
        ms, queries = timed(lambda url=url, http=http: http.get(url), repeat=15)
        print(f"portal project page, {size:>5} cards: {ms:7.1f} ms median, {queries} queries")

    project = data.project()
    contact = data.contact(project.client)
    milestones = [data.awaiting_milestone(project, f"S{n}") for n in range(args.signoffs)]
    start = time.perf_counter()
    signoffs = [data.decide(milestone, contact) for milestone in milestones]
    elapsed = time.perf_counter() - start
    print(f"sign-offs recorded: {args.signoffs / elapsed:7.1f} per second (one process)")

    ms, _ = timed(signoff_chain_verify, repeat=3)
    total = signoff_chain_verify()[0]
    print(f"verify_signoffs over {total} records: {ms:7.1f} ms")

    signoff_certificate_pdf(signoff=signoffs[0])  # the first render loads fonts
    ms, _ = timed(lambda: signoff_certificate_pdf(signoff=signoffs[-1]), repeat=5)
    print(f"certificate PDF: {ms:7.1f} ms median")


if __name__ == "__main__":
    main()
