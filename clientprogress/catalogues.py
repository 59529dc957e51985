"""Translation catalogues without GNU gettext: msgids are extracted from our code and templates,
merged into locale/*/LC_MESSAGES/django.po and compiled to .mo, all with Babel.

Templates go through the same step Django's makemessages uses before it calls xgettext:
templatize() turns {% translate %} and {% blocktranslate %} into gettext() calls, which Babel's
Python extractor then reads like any other Python source.
"""

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation.template import templatize

BASE_DIR = Path(settings.BASE_DIR)
LOCALE_DIR = BASE_DIR / "locale"
DOMAIN = "django"
PYTHON_PACKAGES = ["clientprogress", "projects", "milestones", "notifications", "reports"]
TEMPLATE_DIR = BASE_DIR / "templates"
TEMPLATE_SUFFIXES = {".html", ".txt", ".svg"}
# Django's own translation functions, as makemessages passes them to xgettext.
KEYWORDS = {
    "_": None,
    "gettext": None,
    "gettext_lazy": None,
    "gettext_noop": None,
    "ngettext": (1, 2),
    "ngettext_lazy": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "npgettext_lazy": ((1, "c"), 2, 3),
}
COMMENT_TAGS = ["Translators"]
HEADER_COMMENT = (
    "# Translations of Client Progress.\n"
    "# The msgids come from the code: `python manage.py extract_catalogues` adds new ones\n"
    "# (untranslated) and keeps every translation; write only the msgstr lines.\n"
    "# The .mo is built from this file by `python manage.py compile_catalogues`."
)
# %(name)s, %s, %d, %% and str.format's {0} / {name}: what must survive translation unchanged.
PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0 +]*\d*[sdif%]|{\w*}"
)
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")


def source_files() -> Iterator[Path]:
    for package in PYTHON_PACKAGES:
        for path in sorted((BASE_DIR / package).rglob("*.py")):
            if "migrations" not in path.relative_to(BASE_DIR).parts:
                yield path
    for path in sorted(TEMPLATE_DIR.rglob("*")):
        if path.suffix in TEMPLATE_SUFFIXES:
            yield path


def extract_file(path: Path) -> Iterator[tuple[int, str | tuple[str, ...], list[str], str | None]]:
    source = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        # templatize() keeps the template's indentation (as X's), which xgettext ignores but
        # Python's tokenizer refuses; its gettext() calls each stay on one line.
        templatized = templatize(source, origin=str(path))
        source = "\n".join(line.lstrip() for line in templatized.splitlines())
    yield from extract(
        "python",
        io.BytesIO(source.encode("utf-8")),
        keywords=KEYWORDS,
        comment_tags=COMMENT_TAGS,
        options={"encoding": "utf-8"},
        strip_comment_tags=True,
    )


def extract_catalogue() -> Catalog:
    """Every msgid of ours, with the files it appears in."""
    catalogue = Catalog(project="Client Progress", fuzzy=False)
    for path in source_files():
        relative = path.relative_to(BASE_DIR).as_posix()
        for lineno, message, comments, context in extract_file(path):
            if isinstance(message, tuple) and None in message:
                continue  # a gettext call whose argument is not a literal: nothing to extract
            flags = ["python-format"] if has_python_format(message) else []
            catalogue.add(
                message,
                locations=[(relative, lineno)],
                auto_comments=comments,
                context=context,
                flags=flags,
            )
    return catalogue


def has_python_format(message: str | tuple[str, ...]) -> bool:
    texts = [message] if isinstance(message, str) else list(message)
    return any(re.search(r"%\(\w+\)\w|%[sd]", text) for text in texts)


def placeholders(text: str) -> tuple[str, ...]:
    """What a translation must keep: named placeholders (each at least once, in any order),
    positional ones and %% (as many as there are), and the HTML tags."""
    found = PLACEHOLDER.findall(text) + HTML_TAG.findall(text)
    named = {item for item in found if item.startswith(("%(", "{")) and item != "{}"}
    return tuple(sorted(named)) + tuple(sorted(item for item in found if item not in named))


def placeholder_errors(message: Message, *, num_plurals: int) -> list[str]:
    """Each translated form must have the placeholders of the msgid (of the plural msgid when
    the language has one form only, which then stands for every number)."""
    ids = [message.id] if isinstance(message.id, str) else list(message.id)
    forms = [message.string] if isinstance(message.string, str) else list(message.string)
    allowed = {placeholders(ids[-1])} if num_plurals == 1 else {placeholders(i) for i in ids}
    return [
        f"{form!r} has {list(placeholders(form))}, the msgid {list(placeholders(ids[-1]))}"
        for form in forms
        if form and placeholders(form) not in allowed
    ]


def shown(path: Path) -> str:
    """The path as a developer reads it: from the project's folder when it is inside."""
    return str(path.relative_to(BASE_DIR)) if path.is_relative_to(BASE_DIR) else str(path)


def po_paths(domain: str = DOMAIN) -> list[Path]:
    return sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{domain}.po"))


def po_path(locale: str, domain: str = DOMAIN) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=path.parent.parent.name, domain=path.stem)


def write_catalogue(catalogue: Catalog, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    # No line numbers: a line added above a string would otherwise change the catalogue.
    write_po(buffer, catalogue, sort_output=True, include_lineno=False, width=100)
    path.write_bytes(buffer.getvalue())


def update_catalogue(
    path: Path, template: Catalog, *, keep_obsolete: bool = True
) -> tuple[list[Message], list[Message]]:
    """Merges the extracted msgids into the .po at path (created when missing): translations
    are kept, new msgids come in untranslated, and those no longer in the code are kept as
    obsolete (#~) entries unless keep_obsolete is False. Returns the new and the dropped ones."""
    locale = path.parent.parent.name
    if path.exists():
        catalogue = read_catalogue(path)
    else:
        catalogue = Catalog(
            locale=locale,
            domain=path.stem,
            header_comment=HEADER_COMMENT,
            project="Client Progress",
            copyright_holder="Client Progress",
            last_translator="Client Progress",
            language_team="Client Progress",
            fuzzy=False,
        )
    before = {key(message) for message in catalogue if message.id}
    earlier_obsolete = dict(catalogue.obsolete)
    # A guessed translation would be compiled in unnoticed if someone cleared its fuzzy flag
    # without reading it: new msgids start empty.
    catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
    # Babel keeps only what this update dropped; msgmerge keeps every #~ entry until removed.
    current = {key(message) for message in catalogue if message.id}
    for obsolete_key, message in earlier_obsolete.items():
        if key(message) not in current:
            catalogue.obsolete.setdefault(obsolete_key, message)
    if not keep_obsolete:
        catalogue.obsolete.clear()
    added = [message for message in catalogue if message.id and key(message) not in before]
    dropped = list(catalogue.obsolete.values())
    write_catalogue(catalogue, path)
    return added, dropped


@dataclass
class Compiled:
    po: Path
    mo: Path
    messages: int
    untranslated: list[Message]
    refused: dict[str, list[str]]  # msgid: why it was left out of the .mo


def compile_catalogue(po: Path) -> Compiled:
    """Writes the .mo beside the .po. Fuzzy entries are refused, as msgfmt does (a guess nobody
    has checked is never shown), and so are translations whose placeholders differ from the
    msgid's (they would fail or lose a value when the text is formatted): both show in English
    until they are fixed."""
    catalogue = read_catalogue(po)
    messages = [message for message in catalogue if message.id]
    untranslated = [message for message in messages if not is_translated(message)]
    refused: dict[str, list[str]] = {}
    for message in messages:
        reasons = placeholder_errors(message, num_plurals=catalogue.num_plurals)
        if message.fuzzy and is_translated(message):
            reasons.insert(0, "fuzzy")
        if reasons:
            refused[msgid_text(message)] = reasons
            catalogue.delete(message.id, context=message.context)
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    mo = po.with_suffix(".mo")
    # Written beside and renamed over the old one: a process reading the .mo (another test
    # worker, a running server) sees the old file or the new one, never half of one.
    partial = mo.with_name(f".{mo.name}.{os.getpid()}")
    partial.write_bytes(buffer.getvalue())
    partial.replace(mo)
    return Compiled(
        po=po, mo=mo, messages=len(messages), untranslated=untranslated, refused=refused
    )


def key(message: Message) -> tuple[str | tuple[str, ...], str | None]:
    return message.id, message.context


def msgid_text(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def is_translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(strings) and all(strings)


def stale_catalogues() -> list[Path]:
    """The .po files whose .mo is missing or older than them."""
    return [
        po
        for po in po_paths() + po_paths("djangojs")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
