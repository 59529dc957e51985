"""Files in and out. Uploads are judged by their bytes (a name can say anything); downloads
are always attachments, never sniffed into something else."""

import zipfile
from collections.abc import Callable
from typing import IO, TYPE_CHECKING

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from milestones.models import DeliverableVersion

# The content type each allowed extension is served with, and the test its bytes must pass.
_OFFICE = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain",
    "csv": "text/csv",
    "md": "text/markdown",
}


def _starts_with(*signatures: bytes) -> Callable[[IO[bytes]], bool]:
    def check(file: IO[bytes]) -> bool:
        file.seek(0)
        head = file.read(16)
        return any(head.startswith(signature) for signature in signatures)

    return check


def _zip_with(folder: str | None) -> Callable[[IO[bytes]], bool]:
    def check(file: IO[bytes]) -> bool:
        file.seek(0)
        if not zipfile.is_zipfile(file):
            return False
        file.seek(0)
        try:
            names = zipfile.ZipFile(file).namelist()
        except zipfile.BadZipFile:
            return False
        if folder is None:
            return True
        return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _is_text(file: IO[bytes]) -> bool:
    """UTF-8 without NUL bytes: plain text, never a binary in disguise."""
    file.seek(0)
    data = file.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_CHECKS: dict[str, Callable[[IO[bytes]], bool]] = {
    "pdf": _starts_with(b"%PDF-"),
    "png": _starts_with(b"\x89PNG\r\n\x1a\n"),
    "jpg": _starts_with(b"\xff\xd8\xff"),
    "jpeg": _starts_with(b"\xff\xd8\xff"),
    "zip": _zip_with(None),
    **{extension: _zip_with(folder) for extension, folder in _OFFICE.items()},
    "txt": _is_text,
    "csv": _is_text,
    "md": _is_text,
}


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type_of(file: IO[bytes], *, name: str, allowed: list[str]) -> str | None:
    """The content type to store and serve, or None when the extension is not allowed or the
    bytes are not what the extension claims."""
    extension = extension_of(name)
    check = _CHECKS.get(extension)
    if extension not in allowed or check is None:
        return None
    matches = check(file)
    file.seek(0)
    return CONTENT_TYPES[extension] if matches else None


def checked_upload(upload: UploadedFile, *, max_bytes: int, allowed: list[str]) -> UploadedFile:
    """The upload with the content type its bytes prove, or a ValidationError saying why not.
    Deliverables and clients' feedback attachments go through the same check."""
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("“%(name)s” is %(size)s; files can be at most %(limit)s."),
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
    content_type = content_type_of(upload, name=upload.name, allowed=allowed)
    if content_type is None:
        raise forms.ValidationError(
            _(
                "“%(name)s” is not an accepted file: its content must be one of %(types)s, "
                "matching its extension."
            ),
            params={"name": upload.name, "types": ", ".join(allowed)},
        )
    upload.content_type = content_type
    return upload


def download_response(file: FieldFile, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download: never rendered inline, never sniffed into something else."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_download(file: FieldFile, *, filename: str) -> FileResponse:
    """A stored file whose content type follows from its (checked) extension."""
    kind = CONTENT_TYPES.get(extension_of(filename), "application/octet-stream")
    return download_response(file, filename=filename, content_type=kind)


def version_download(version: "DeliverableVersion") -> FileResponse:
    """A deliverable's version, with the name and content type it was uploaded with."""
    return download_response(
        version.file, filename=version.original_name, content_type=version.content_type
    )
