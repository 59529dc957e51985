from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    """Writes each message to EMAIL_FILE_PATH as one .eml file that any mail client opens."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid4().hex[:8]}.eml"
            (folder / name).write_bytes(message.message().as_bytes(linesep="\r\n"))
        return len(email_messages)


def message_id(kind: str, pk: int) -> str:
    """The same Message-ID however often a mail is built: a worker that died after the server
    accepted the mail but before it recorded so sends it again, and mail clients then show the
    second copy as the same message."""
    return f"<{kind}.{pk}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


def plain_subject(text: str) -> str:
    """A subject is one line of plain text: a line break in a name someone typed would make
    Django refuse the whole mail (BadHeaderError), so every run of whitespace becomes a space."""
    return " ".join(text.split())
