"""What an uploaded deliverable really is, judged by its bytes: a name can say anything."""

import zipfile
from collections.abc import Callable
from typing import IO

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
