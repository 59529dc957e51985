"""A pytest plugin, loaded with `-p` (pyproject.toml) so that it runs before pytest-django loads
the settings, which read these variables once, at import. Each test process (each xdist worker
too) gets a folder of its own for everything the app writes under VAR_DIR (SQLite file, media,
.eml mail, broker queue and results, beat's schedule) and a Celery queue of its own, so a test
run beside a `make run` neither hands its tasks to that worker nor takes the worker's, even on a
shared Redis database. Processes the tests start inherit both."""

import os
import shutil
import sys
import tempfile
import uuid

import pytest

RUN = f"tests-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{uuid.uuid4().hex[:8]}"
VAR_DIR = tempfile.mkdtemp(prefix=f"clientprogress-{RUN}-")

# Set, not defaulted: xdist workers inherit the controller's environment, and a developer's
# shell may name the development folders.
os.environ["VAR_DIR"] = VAR_DIR
os.environ["CELERY_QUEUE"] = RUN
for name in ("MEDIA_ROOT", "STATIC_ROOT"):  # their own variables would point past VAR_DIR
    os.environ.pop(name, None)


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    celery = sys.modules.get("clientprogress.celery")
    if celery is not None and celery.app.conf.broker_url.startswith("redis"):
        # Redis keeps a queue's binding after its last message: one key per run would pile up.
        with celery.app.connection_for_write() as connection:
            queue = celery.app.amqp.queues[RUN].bind(connection.default_channel)
            queue.declare()  # the binding, known to this connection, so that delete finds it
            queue.delete()
