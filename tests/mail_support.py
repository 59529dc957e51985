"""For mail tests: a real SMTP server (aiosmtpd) that records what it accepts, one that never
answers, a Redis of the test's own to use as Celery's broker and stop at will, and tasks run
in the test. Loaded as a pytest plugin by tests/conftest.py, so its fixtures serve every folder."""

import email
import email.policy
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
import redis
from aiosmtpd.controller import Controller
from celery import Celery
from kombu import pools


class Handler:
    """Accepts mail, after answering `refusal` to the first `refusals` messages."""

    def __init__(self) -> None:
        self.refusals = 0
        self.refusal = "421 Service not available, try again later"
        self.received: list[EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.refusals:
            self.refusals -= 1
            return self.refusal
        # Parsed as a mail client would: headers decoded, parts reachable.
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def use_smtp(settings: object, port: int, timeout: int = 5) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


@pytest.fixture
def smtp(settings: object) -> Iterator[Handler]:
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    use_smtp(settings, port)
    yield handler
    controller.stop()


@pytest.fixture
def silent_server(settings: object) -> Iterator[None]:
    """Accepts connections (the kernel completes them) and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    use_smtp(settings, listener.getsockname()[1], timeout=1)
    yield
    listener.close()


class OwnRedis:
    """A redis-server on a free port of the test's own, which it may stop and start again
    (empty each time: nothing is saved)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self.process = subprocess.Popen(
            [*command, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def _point_celery_at(app: Celery, *, broker_url: str, result_backend: str) -> None:
    """Celery keeps its connection pools (kombu's, shared by URL) and result store once made;
    they are closed and dropped so that the next publish opens new ones on the given URLs."""
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local = threading.local()
    app.conf.broker_url, app.conf.result_backend = broker_url, result_backend


@pytest.fixture
def own_broker() -> Iterator[OwnRedis]:
    """Celery's broker and result store (both Redis, as in production) on a Redis of the
    test's own, whether or not the test run itself uses Redis (REDIS_URL)."""
    from clientprogress.celery import app

    server = OwnRedis()
    server.start()
    saved = {"broker_url": app.conf.broker_url, "result_backend": app.conf.result_backend}
    _point_celery_at(app, broker_url=server.url, result_backend=server.url)
    yield server
    _point_celery_at(app, **saved)
    server.stop()


@pytest.fixture
def eager() -> Iterator[None]:
    """Enqueued tasks run at once, in the test."""
    from clientprogress.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
