"""Helpers the tests share: HTTP clients for a user, the one-object-of-every-kind set, a running
Celery worker, and manage.py run as production runs it."""

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from django.test import Client as HttpClient

from projects.models import Project, User

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "-production-test-key-0123456789-abcdefghij",
    "ALLOWED_HOSTS": "progress.example.com",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "sqlite:////tmp/cp-deploy-check.sqlite3"),
    "EMAIL_URL": "smtp://mailer:secret@smtp.example.com:587",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # Only what a production process would have: nothing the test run itself set but its own
    # folder (settings create the broker folders in it, never in the checkout's var/).
    kept = ("PATH", "HOME", "LANG", "VAR_DIR")
    clean = {k: os.environ[k] for k in kept if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def client_for(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


@dataclass
class ProjectObjects:
    """One object of every kind in one project, by the URL keyword that names it."""

    project: Project
    ids: dict[str, int]


class RunningWorker:
    """A real Celery worker thread consuming from the configured broker."""

    def __init__(self, app: object) -> None:
        self.app = app

    def wait_for(self, condition: object, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            assert time.monotonic() < deadline, "the worker did not finish in time"
            time.sleep(0.05)
