"""What the walkthrough saw on screens of real sizes: the board beside the open card panel, the
quick-add field in narrow columns, checkboxes beside their labels."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from projects.models import Project, TaskCard, User
from tests.e2e.support import log_in
from tests.projects.factories import CardFactory

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
SMALL_LAPTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def sized(new_page: Callable[[], Page]) -> Callable[[dict], Page]:
    def open_page(viewport: dict) -> Page:
        page = new_page()
        page.set_viewport_size(viewport)
        return page

    return open_page


def board_with_cards(project: Project) -> None:
    for status in TaskCard.Status.values:
        CardFactory(
            project=project,
            title=f"A card in {status}",
            status=status,
            position=0,
            blocked_reason="Waiting for the vendor" if status == "blocked" else "",
        )


def open_panel(page: Page, project: Project, title: str) -> None:
    page.goto(f"/projects/{project.pk}/board/")
    page.get_by_role("link", name=title).click()
    expect(page.locator("#panel").get_by_label("Title")).to_be_visible()


def done_column(page: Page) -> Locator:
    return page.locator("#col-done")


def inside(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
    )


def test_on_a_laptop_the_done_column_stays_in_view_beside_the_open_card(
    sized, pm: User, project: Project
) -> None:
    board_with_cards(project)
    page = sized(LAPTOP)
    log_in(page, pm)
    open_panel(page, project, "A card in todo")
    board, panel = page.locator("#columns").bounding_box(), page.locator("#panel").bounding_box()
    done = done_column(page).bounding_box()
    screen = {"x": 0, "width": LAPTOP["width"]}
    assert inside(done, board), (done, board)
    assert inside(done, screen) and inside(panel, screen), (done, panel)
    assert done["x"] + done["width"] <= panel["x"], (done, panel)
    assert page.evaluate("document.getElementById('columns').scrollWidth") <= page.evaluate(
        "document.getElementById('columns').clientWidth"
    )


def test_where_even_narrow_columns_do_not_fit_the_board_shows_it_scrolls(
    sized, pm: User, project: Project
) -> None:
    board_with_cards(project)
    page = sized(SMALL_LAPTOP)
    log_in(page, pm)
    open_panel(page, project, "A card in todo")
    frame = page.locator("[data-board-scroll]")
    expect(frame).to_have_class("board-scroll more-right")  # the right edge is shaded
    shade = "() => getComputedStyle(document.querySelector('[data-board-scroll]'), '::after')"
    for _tick in range(50):  # the shade fades in (polled from here: the page allows no eval)
        if page.evaluate(shade + ".opacity") == "1":
            break
        page.wait_for_timeout(100)
    assert page.evaluate(shade + ".opacity") == "1"
    board = page.locator("#columns")
    assert not inside(done_column(page).bounding_box(), board.bounding_box())
    board.evaluate("board => board.scrollTo({left: board.scrollWidth})")
    expect(frame).to_have_class("board-scroll more-left")
    assert inside(done_column(page).bounding_box(), board.bounding_box())
    page.locator("#panel [data-close-panel]").click()
    expect(frame).to_have_class("board-scroll")  # all five fit again


def placeholder_fits(field: Locator) -> bool:
    return field.evaluate(
        """input => {
            const style = getComputedStyle(input);
            const canvas = document.createElement("canvas").getContext("2d");
            canvas.font = style.font;
            const room = input.clientWidth - parseFloat(style.paddingLeft)
                - parseFloat(style.paddingRight);
            return canvas.measureText(input.placeholder).width <= room;
        }"""
    )


@pytest.mark.parametrize(
    ("viewport", "with_panel"),
    [({"width": 960, "height": 800}, False), (LAPTOP, True), (PHONE, False)],
    ids=["180px columns", "beside the panel", "phone"],
)
def test_the_quick_add_placeholder_is_never_cut(
    sized, pm: User, project: Project, viewport: dict, with_panel: bool
) -> None:
    board_with_cards(project)
    page = sized(viewport)
    log_in(page, pm)
    if with_panel:
        open_panel(page, project, "A card in todo")
    else:
        page.goto(f"/projects/{project.pk}/board/")
    fields = page.locator(".quick-add input[name=title]")
    expect(fields.first).to_have_attribute("placeholder", "Add a card…")
    widths = page.locator(".column").evaluate_all("columns => columns.map(c => c.clientWidth)")
    if viewport["width"] == 960:
        assert min(widths) == 180  # the narrowest the columns get without the panel
    for field in fields.all():
        if field.is_visible():
            assert placeholder_fits(field)


def test_checkboxes_sit_beside_their_labels(sized, pm: User, project: Project) -> None:
    CardFactory(project=project, title="Wireframes")
    page = sized(LAPTOP)
    log_in(page, pm)
    open_panel(page, project, "Wireframes")
    box = page.locator("#panel").get_by_role("checkbox", name="Visible to the client")
    label = page.locator("#panel label[for=card-client_visible]")
    box_at, label_at = box.bounding_box(), label.bounding_box()
    assert label_at["x"] > box_at["x"] + box_at["width"] - 1  # to its right
    assert abs((label_at["y"] + label_at["height"] / 2) - (box_at["y"] + box_at["height"] / 2)) < 8
    page.goto(f"/projects/{project.pk}/edit/")
    box = page.get_by_role("checkbox", name="Mail the weekly report to the client")
    label = page.locator("label[for=id_mail_client_reports]")
    assert label.bounding_box()["x"] > box.bounding_box()["x"]
    assert abs(label.bounding_box()["y"] - box.bounding_box()["y"]) < 12
