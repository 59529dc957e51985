"""A real SMTP server for tests: it keeps what it accepts and refuses what it is told to."""

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

# A multi-line reply: smtplib joins its lines into one error of about 2,700 characters.
LONG_REFUSAL = "\r\n".join(f"554-{'x' * 900}" for _ in range(3)) + "\r\n554 refused"


class Server:
    """Accepts mail, except to the `unknown` addresses, and every message when `refusal` is set."""

    def __init__(self, *, refusal: str = "", unknown: frozenset[str] = frozenset()) -> None:
        self.refusal, self.unknown = refusal, unknown
        self.received: list[EmailMessage] = []

    async def handle_RCPT(
        self, server: object, session: object, envelope: object, address: str, options: list
    ) -> str:
        if address in self.unknown:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        if self.refusal:
            return self.refusal
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted"


@contextmanager
def smtp_server(settings: object, server: Server) -> Iterator[Server]:
    """Points Django's SMTP backend at the server for the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield server
    finally:
        controller.stop()
