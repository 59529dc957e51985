"""Board page throughput: the board of a project with 200 and 1,000 cards served by gunicorn
(2 sync workers) from PostgreSQL, next to a bare Django view returning the same bytes from
memory, measured in the same run with the same load (2 processes x 4 keep-alive connections);
then the board with its caches off, as its very first request pays it; and, in one process
without load, the board right after one of its cards changed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/clientprogress \
        .venv/bin/python bench/board.py [--cards 200 1000] [--seconds 10]

Runs against a throwaway database (bench_<name>), created and dropped by the script."""

import argparse
import contextlib
import datetime
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
PAGES = Path(tempfile.mkdtemp(prefix="bench-board-"))
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "clientprogress.settings",
    "BENCH_PAGES": str(PAGES),
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key-0123456789",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "STATIC_ROOT": str(PAGES / "static"),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH  # noqa: E402
from django.test import Client as HttpClient  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.crypto import get_random_string  # noqa: E402

from milestones.services import project_create  # noqa: E402
from projects.models import Client, TaskCard, User  # noqa: E402
from projects.services import card_update  # noqa: E402


def create_board(cards: int) -> tuple[int, str]:
    """A project with `cards` cards spread over the columns; returns its id and the cookies
    of a logged-in browser."""
    pm = User.objects.create_user(f"pm{cards}@bench.example", "x", role=User.Role.PM)
    team = [User.objects.create_user(f"dev{cards}-{n}@bench.example", "x") for n in range(4)]
    client = Client.objects.create(name=f"Bench client {cards}")
    today = timezone.localdate()
    project = project_create(
        actor=pm,
        client=client,
        name=f"Bench {cards}",
        code=f"bench-{cards}",
        pm=pm,
        team=team,
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=120),
    )
    statuses = TaskCard.Status.values
    TaskCard.objects.bulk_create(
        TaskCard(
            project=project,
            title=f"Card {n}: make the {n % 17}th screen work",
            status=statuses[n % 5],
            position=n // 5,
            assignee=team[n % 4],
            due_date=today + datetime.timedelta(days=n % 30 - 10),
            responsible="client" if n % 7 == 0 else "team",
            client_visible=n % 3 == 0,
            blocked_reason="Waiting for the staging database" if n % 5 == 2 else "",
        )
        for n in range(cards)
    )
    http = HttpClient()
    http.force_login(pm)
    # A browser keeps its CSRF cookie; without one every response would set a new one.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return project.pk, f"sessionid={http.cookies['sessionid'].value}; csrftoken={csrf}"


def after_a_change(project_id: int, cookie: str, rounds: int = 30) -> float:
    """Median milliseconds of the board page right after one of its cards changed (the page is
    rendered again, the other cards' HTML reused), in this process with no other load."""
    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.cookies.load(cookie)
    board = f"/projects/{project_id}/board/"
    http.get(board)  # the cards' HTML, as a board that has been open before has it
    pm = User.objects.get(managed_projects=project_id)
    times = []
    for card in TaskCard.objects.filter(project_id=project_id).order_by("pk")[:rounds]:
        card_update(actor=pm, card=card, version=card.version, changes={"title": f"{card.title}!"})
        start = time.perf_counter()
        assert http.get(board).status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def worker(path: str, cookie: str, seconds: float, threads: int, out: object) -> None:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        headers = {"Cookie": cookie}
        mine = []
        while time.monotonic() < deadline:
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    pool = [threading.Thread(target=run) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    out.put(latencies)


def load(path: str, cookie: str, seconds: float) -> tuple[float, float, float]:
    """Requests per second, median and p95 latency (ms)."""
    queue = multiprocessing.Queue()
    processes = [
        multiprocessing.Process(target=worker, args=(path, cookie, seconds, 4, queue))
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    latencies = [value for _ in processes for value in queue.get()]
    for process in processes:
        process.join()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95)]
    return len(latencies) / seconds, statistics.median(latencies) * 1000, p95 * 1000


@contextlib.contextmanager
def serving(**settings: str) -> Iterator[subprocess.Popen]:
    """gunicorn with the site's production settings, changed by `settings`."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "bench.board_wsgi:application",
        "--workers=2",
        f"--bind=127.0.0.1:{PORT}",
        "--log-level=warning",
    ]
    env = os.environ | SERVER_ENV | {"DATABASE_URL": database_url()} | settings
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("gunicorn did not start")
        yield server
    finally:
        server.terminate()
        server.wait()


def workers_rss(server: subprocess.Popen) -> list[int]:
    """The resident memory of each of the server's worker processes, in MB."""
    sizes = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # a process that ended meanwhile
        if int(fields[1]) == server.pid:
            status = (stat.parent / "status").read_text()
            rss = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
            sizes.append(int(rss.split()[1]) // 1024)
    return sorted(sizes)


def database_url() -> str:
    db = connection.settings_dict
    login = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    return f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def fetch(path: str, cookie: str) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", path, headers={"Cookie": cookie})
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, (path, response.status)
    return body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cards", type=int, nargs="+", default=[200, 1000])
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database: this measures production.")
    connection.settings_dict["TEST"]["NAME"] = f"bench_{connection.settings_dict['NAME']}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    boards = {cards: create_board(cards) for cards in args.cards}
    connection.close()
    print(f"gunicorn, 2 sync workers; 8 connections; {args.seconds:g} s per figure")
    print(f"{'page':<34}{'bytes':>9}{'req/s':>9}{'median ms':>11}{'p95 ms':>9}{'share':>8}")
    bare = {}

    def measure(label: str, path: str, cookie: str, size: int, cards: int) -> None:
        load(path, cookie, 2)  # warm-up: both workers, their pools and caches
        rate, median, p95 = load(path, cookie, args.seconds)
        bare.setdefault(cards, rate)
        share = rate / bare[cards]
        print(f"{label:<34}{size:>9}{rate:>9.0f}{median:>11.1f}{p95:>9.1f}{share:>8.0%}")

    try:
        with serving() as server:
            for cards, (project_id, cookie) in boards.items():
                board = f"/projects/{project_id}/board/"
                page = fetch(board, cookie)
                (PAGES / f"board-{cards}.html").write_bytes(page)
                assert fetch(f"/bench/bare/{cards}/", cookie) == page
                measure(
                    f"bare view, {cards} cards", f"/bench/bare/{cards}/", cookie, len(page), cards
                )
                measure(f"board, {cards} cards", board, cookie, len(page), cards)
            # The page cache full: as many different pages of the biggest board as it keeps.
            cards, (project_id, cookie) = max(boards.items())
            before = workers_rss(server)
            for n in range(settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] * 2):
                fetch(f"/projects/{project_id}/board/?page={n}", cookie)
            after = workers_rss(server)
            print(
                f"workers' memory: {before} MB, then {after} MB"
                f" with their page caches full of {cards}-card pages"
            )
        # What each request would cost if every one followed a change to the board.
        with serving(BOARD_CACHE_SECONDS="0"):
            for cards, (project_id, cookie) in boards.items():
                board = f"/projects/{project_id}/board/"
                size = len(fetch(board, cookie))
                measure(f"board rendered anew, {cards} cards", board, cookie, size, cards)
        for cards, (project_id, cookie) in boards.items():
            median = after_a_change(project_id, cookie)
            print(f"board right after a card changed, {cards} cards: {median:.1f} ms (median)")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
