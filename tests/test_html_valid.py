"""Every page and partial is valid HTML by the Nu HTML Checker (vnu-jar from the npm registry;
`.ci/run` installs it and Java). htmx's own attributes are the one accepted error."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.pagewalk import demo_people, htmx_client, reachable_pages
from tests.support import ROOT

VNU_VERSION = "26.9.27"
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / f"var/tools/vnu-jar-{VNU_VERSION}/build/dist/vnu.jar")
)
# htmx's attributes are not in the HTML standard; everything else must be.
HTMX_ATTRIBUTE = re.compile(r"Attribute “hx-[a-z:-]+” not allowed on element")
FRAGMENT = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>partial</title></head>'
    "<body>{}</body></html>"
)


def _checker() -> list[str]:
    java = shutil.which("java")
    if java and VNU_JAR.exists():
        return [java, "-jar", str(VNU_JAR)]
    message = f"the Nu HTML Checker needs java and {VNU_JAR} (.ci/run installs both)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _errors(files: list[Path]) -> list[str]:
    result = subprocess.run(
        [*_checker(), "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    messages = json.loads(result.stdout)["messages"]
    return [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" and not HTMX_ATTRIBUTE.search(m["message"])
    ]


def test_every_page_and_partial_is_valid_html(db: None, tmp_path: Path) -> None:
    files = []
    for persona, user in demo_people().items():
        pages = reachable_pages(user)
        assert len(pages) >= 4, f"{persona} reached only {sorted(pages)}"
        partials = htmx_client(user)
        for number, (path, html) in enumerate(sorted(pages.items())):
            page = tmp_path / f"{persona}-{number}-{path.strip('/').replace('/', '_')}.html"
            page.write_text(html)
            files.append(page)
            fragment = partials.get(path).content.decode()
            if not fragment.lstrip().lower().startswith("<!doctype"):
                partial = page.with_name(f"partial-{page.name}")
                partial.write_text(FRAGMENT.format(fragment))
                files.append(partial)
    assert _errors(files) == []
