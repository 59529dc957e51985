"""Every word a person reads in a template goes through Django's translation machinery."""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TRANSLATED_BLOCK = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
TEMPLATE_SYNTAX = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
COMMENT_STYLE_SCRIPT = re.compile(r"<!--.*?-->|<style.*?</style>|<script.*?</script>", re.S)
TAG = re.compile(r"<[^>]*>", re.S)
READABLE_ATTRIBUTE = re.compile(r'\b(?:aria-label|title|placeholder|alt)="([^"]*)"')
# Acronyms such as UTC or SHA-256 read the same in every language.
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9-]+\b")
WORD = re.compile(r"[A-Za-z]{2,}")


def has_words(text: str) -> bool:
    return bool(WORD.search(ACRONYM.sub("", text)))


def untranslated_text(source: str) -> list[str]:
    text = TRANSLATED_BLOCK.sub(" ", source)
    attributes = [
        value
        for value in READABLE_ATTRIBUTE.findall(text)
        if has_words(TEMPLATE_SYNTAX.sub("", value))
    ]
    text = TAG.sub(" ", COMMENT_STYLE_SCRIPT.sub(" ", TEMPLATE_SYNTAX.sub(" ", text)))
    words = [chunk.strip() for chunk in text.split("\n") if has_words(chunk)]
    return attributes + words


@pytest.mark.parametrize(
    "template",
    sorted(path for path in TEMPLATES.rglob("*") if path.suffix in {".html", ".txt", ".svg"}),
    ids=lambda path: str(path.relative_to(TEMPLATES)),
)
def test_template_has_no_untranslated_text(template: Path) -> None:
    assert untranslated_text(template.read_text()) == []


def test_the_check_finds_untranslated_text() -> None:
    assert untranslated_text('<p title="Edit">Hello {{ name }}</p>') == ["Edit", "Hello"]
    assert untranslated_text('<p>{% translate "Hello" %}</p>') == []
    assert untranslated_text("<td>SHA-256 <code>{{ hash }}</code> UTC</td>") == []
