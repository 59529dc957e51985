"""Every page each persona reaches, on a phone and a laptop, in the light and the dark theme:
no page scrolls sideways and axe-core (vendored, pinned) finds nothing serious or critical."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from projects.models import TaskCard
from tests.e2e.support import log_in
from tests.pagewalk import DEMO_PASSWORD, demo_people, reachable_pages

pytestmark = pytest.mark.e2e

AXE = (Path(__file__).parent / "vendor/axe-core-4.14.1/axe.min.js").read_text()
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}
THEMES = ("light", "dark")
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def problems_on(page: Page, where: str) -> list[str]:
    """What is wrong with the page as it is shown now."""
    found = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        found.append(f"{where}: the page is {width[0]} px wide in a {width[1]} px window")
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"][:3]]
            found.append(f"{where}: {violation['id']} ({violation['impact']}) at {targets}")
    return found


def open_as(new_page: Callable[..., Page], user: object, viewport: str) -> Page:
    """A page of the user's own, logged in, with axe-core loaded into every page it opens (as
    an init script, which the Content-Security-Policy does not apply to)."""
    page = new_page(viewport=VIEWPORTS[viewport])
    page.context.add_init_script(AXE)
    log_in(page, user, password=DEMO_PASSWORD)
    return page


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("persona", ["pm", "member", "manager", "client"])
def test_every_page_fits_and_passes_axe_in_both_themes(
    new_page: Callable[..., Page], transactional_db: None, persona: str, viewport: str
) -> None:
    user = demo_people()[persona]
    paths = sorted(reachable_pages(user))
    assert len(paths) >= 4, paths
    page = open_as(new_page, user, viewport)
    problems = []
    for theme in THEMES:
        page.emulate_media(color_scheme=theme)
        for path in paths:
            page.goto(path)
            problems += problems_on(page, f"{theme} {path}")
            board = page.locator("#columns li.card .card-title")
            if board.count():
                board.first.click()  # the card panel, a partial swapped in by htmx
                expect(page.locator("#panel [role=dialog]")).to_be_visible()
                problems += problems_on(page, f"{theme} {path} with the card panel open")
    assert problems == []


def test_on_a_phone_the_board_switches_columns_and_a_card_opens_as_a_sheet(
    new_page: Callable[..., Page], transactional_db: None
) -> None:
    pm = demo_people()["pm"]
    card = TaskCard.objects.filter(project__code="ACME-PORTAL", status="todo").first()
    page = open_as(new_page, pm, "phone")
    page.goto(f"/projects/{card.project_id}/board/")
    done = page.locator("#col-done")
    expect(done).not_to_be_in_viewport()
    page.locator(".column-switcher").get_by_role("link", name="Done").click()
    expect(done).to_be_in_viewport()
    expect(page.locator(".column-switcher a[data-column=done]")).to_have_attribute(
        "aria-current", "true"
    )
    page.locator(".column-switcher").get_by_role("link", name="To do").click()
    page.locator(f"#card-{card.pk} .card-title").click()
    sheet = page.locator("#panel")
    expect(page.locator("#card-panel-title")).to_be_focused()
    box = sheet.bounding_box()
    assert box["width"] == 390 and box["height"] == 844  # the whole screen
    sheet.locator("#move-status").select_option("in_progress")
    sheet.get_by_role("button", name="Move card").click()
    expect(sheet.get_by_role("status")).to_contain_text("Moved to In progress")
    page.keyboard.press("Escape")
    expect(sheet.locator("[role=dialog]")).to_have_count(0)
    expect(page.locator(f"#col-in_progress #card-{card.pk}")).to_be_attached()
    card.refresh_from_db()
    assert card.status == TaskCard.Status.IN_PROGRESS


def test_the_board_works_with_the_keyboard_alone(
    new_page: Callable[..., Page], transactional_db: None
) -> None:
    pm = demo_people()["pm"]
    card = TaskCard.objects.filter(project__code="ACME-PORTAL", status="todo").order_by("position")[
        0
    ]
    page = open_as(new_page, pm, "laptop")
    page.goto(f"/projects/{card.project_id}/board/")
    title = page.locator(f"#card-{card.pk} .card-title")
    for _press in range(60):  # Tab through the page until the card is reached
        page.keyboard.press("Tab")
        if title.evaluate("element => element === document.activeElement"):
            break
    expect(title).to_be_focused()
    # One Tab stop per card: the next Tab lands on the next card, not inside this one.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('card-title')")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#card-panel-title")).to_be_focused()
    for _press in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name === 'status'"):
            break
    page.keyboard.press("End")  # the last column: Done
    for _press in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim() === 'Move card'"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("#panel").get_by_role("status")).to_contain_text("Moved to Done")
    page.keyboard.press("Escape")
    expect(page.locator(f"#col-done #card-{card.pk} .card-title")).to_be_focused()
    card.refresh_from_db()
    assert card.status == TaskCard.Status.DONE


@pytest.mark.parametrize("theme", THEMES)
def test_screenshots_of_the_board_portal_and_signoff_on_a_phone(
    new_page: Callable[..., Page], transactional_db: None, theme: str
) -> None:
    """For people to look at: written to var/screenshots/ (see the README)."""
    people = demo_people()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    card = TaskCard.objects.filter(project__code="ACME-PORTAL").first()
    awaiting = card.project.phases.filter(milestones__status="awaiting_signoff").values_list(
        "milestones__pk", flat=True
    )[0]
    shots = [
        ("pm", f"/projects/{card.project_id}/board/", "board"),
        ("client", f"/portal/projects/{card.project_id}/", "portal-project"),
        ("client", f"/portal/milestones/{awaiting}/sign-off/", "signoff"),
    ]
    for persona, path, name in shots:
        page = open_as(new_page, people[persona], "phone")
        page.emulate_media(color_scheme=theme)
        page.goto(path)
        target = SCREENSHOTS / f"{name}-390-{theme}.png"
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000
