"""Real Chromium (Debian's) driven by Playwright against the live test server."""

import os
import shutil
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# body are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM} (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Runs in every page before its own scripts (the policy does not apply to it): whatever the
# Content-Security-Policy refuses is written to the console, where the fixture collects it.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`Content Security Policy violation: ${event.violatedDirective} refused ` +
    `${event.blockedURI || "inline code"} in ${event.sourceFile}:${event.lineNumber}`);
});
"""


def is_violation(message: ConsoleMessage) -> bool:
    """Chromium's own "Refused to ..." lines, the listener's, and htmx refusing to eval."""
    return "Content Security Policy" in message.text or "evalDisallowed" in message.text


@pytest.fixture
def csp_violations() -> list[str]:
    """What the policy refused in the test's pages; any one fails the test."""
    return []


@pytest.fixture
def new_page(
    browser: Browser, live_server: object, csp_violations: list[str]
) -> Iterator[Callable[[], Page]]:
    """Opens pages in fresh browser contexts (separate cookies, like separate people); options
    such as a viewport go to the context."""
    contexts = []

    def collect(message: ConsoleMessage) -> None:
        if is_violation(message):
            csp_violations.append(f"{message.page.url if message.page else ''}: {message.text}")

    def open_page(**options: object) -> Page:
        context = browser.new_context(base_url=live_server.url, locale="en-GB", **options)
        context.set_default_timeout(10_000)
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("console", collect)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    if csp_violations:
        pytest.fail("The Content-Security-Policy refused:\n" + "\n".join(csp_violations))


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    return new_page()
