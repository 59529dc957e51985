"""`make test` beside `make run` in one checkout: the tests share no file, database or Celery
queue with the development processes (tests/isolation.py)."""

import json
import os
import shlex
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from celery.contrib.testing.worker import start_worker
from django.db import connection

from clientprogress.celery import app
from clientprogress.tasks import heartbeat

ROOT = Path(__file__).resolve().parent.parent
# What a process reads to find its files and queue; tests/isolation.py sets the test run's own.
RUN_VARIABLES = ("VAR_DIR", "CELERY_QUEUE")
CONFIGURATION = """
import json, django
django.setup()
from django.conf import settings
from clientprogress.celery import app
options = app.conf.broker_transport_options or {}
database = settings.DATABASES["default"]
paths = {
    "database": database["NAME"] if database["ENGINE"].endswith("sqlite3") else "",
    "media": settings.MEDIA_ROOT,
    "static": settings.STATIC_ROOT,
    "mail": getattr(settings, "EMAIL_FILE_PATH", ""),
    "beat schedule": app.conf.beat_schedule_filename,
    "results": app.conf.result_backend.removeprefix("file://"),
    **{name: options.get(name, "") for name in ("data_folder_in", "data_folder_out",
                                                "processed_folder", "control_folder")},
}
print(json.dumps({"var": str(settings.VAR_DIR), "queue": app.conf.task_default_queue,
                  "database": database["NAME"],
                  "paths": {name: str(path) for name, path in paths.items() if path}}))
"""


def development_environment() -> dict[str, str]:
    """The environment a `make run` started from the same shell would have."""
    return {k: v for k, v in os.environ.items() if k not in RUN_VARIABLES}


def configuration(env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CONFIGURATION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_the_tests_write_nothing_where_the_development_processes_do() -> None:
    development = configuration(development_environment())
    tests = configuration(dict(os.environ))
    development_var = Path(development["var"])
    assert Path(tests["var"]) != development_var
    for name, path in tests["paths"].items():
        if path.startswith(("redis://", "rediss://")):
            continue  # results are keyed by task id: no two processes write the same one
        assert not Path(path).is_relative_to(development_var), name
        assert path != development["paths"].get(name), name
    assert tests["queue"] != development["queue"]
    # The tests' own database is never the one the development processes use.
    assert connection.settings_dict["NAME"] != development["database"]


def test_a_worker_on_the_development_queue_leaves_the_tests_tasks_alone(
    transactional_db: None, tmp_path: Path
) -> None:
    # The worker `make run` starts (the Procfile's), in the development environment but on the
    # tests' broker (their folder; on Redis it is the same database anyway): a shared broker.
    env = development_environment() | {"VAR_DIR": os.environ["VAR_DIR"]}
    procfile = dict(line.split(": ", 1) for line in (ROOT / "Procfile").read_text().splitlines())
    command = shlex.split(procfile["worker"])
    assert command[0] == "celery"
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", *command, "-n", f"development-{uuid.uuid4().hex}@%h"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ours = heartbeat.delay()
        # On the queue when CELERY_QUEUE is unset; harmless should a real `make run` take it.
        theirs = heartbeat.apply_async(queue="celery")
        # Each worker takes its queue in order: once theirs is done, it would have taken ours.
        assert theirs.get(timeout=90) == "ok", (tmp_path / "worker.log").read_text()
        assert ours.state == "PENDING", (tmp_path / "worker.log").read_text()
        hostname = f"{app.conf.task_default_queue}@{socket.gethostname()}"
        with start_worker(app, pool="solo", perform_ping_check=False, hostname=hostname):
            assert ours.get(timeout=20) == "ok"
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
