import datetime

import pytest
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from projects import services
from projects.models import Project, TaskCard, User
from tests.e2e.support import log_in
from tests.projects.factories import CardFactory

pytestmark = pytest.mark.e2e


def column(page: Page, name: str):
    return page.locator("section.column").filter(has=page.get_by_role("heading", name=name))


def titles(page: Page, name: str) -> list[str]:
    return column(page, name).locator("li.card .card-title").all_inner_texts()


def drag(page: Page, source, target) -> None:
    """A person's drag: press, move in steps (Sortable waits for real movement), release."""
    start, end = source.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] - 6)
    page.mouse.down()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2 + 2, end["y"] + end["height"] / 2 + 2, steps=4)
    page.mouse.up()


def test_pm_drags_a_card_to_done_and_it_stays_there_after_a_reload(
    page: Page, pm: User, project: Project
) -> None:
    for number in range(3):
        CardFactory(project=project, title=f"Todo {number}", position=number)
    CardFactory(project=project, title="Done A", status=TaskCard.Status.DONE, position=0)
    CardFactory(project=project, title="Done B", status=TaskCard.Status.DONE, position=1)
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/board/")
    done_b = column(page, "Done").locator("li.card", has_text="Done B")
    drag(page, column(page, "To do").locator("li.card", has_text="Todo 1"), done_b)
    expect(column(page, "Done").locator(".count")).to_have_text("3")
    after_drop = titles(page, "Done")
    assert after_drop in (["Done A", "Todo 1", "Done B"], ["Done A", "Done B", "Todo 1"])
    page.reload()
    expect(column(page, "Done").locator(".count")).to_have_text("3")
    assert titles(page, "Done") == after_drop
    assert titles(page, "To do") == ["Todo 0", "Todo 2"]
    saved = list(project.cards.filter(status="done").order_by("position"))
    assert [card.title for card in saved] == after_drop
    assert [card.position for card in saved] == [0, 1, 2]


def test_pm_edits_a_due_date_in_place(page: Page, pm: User, project: Project) -> None:
    card = CardFactory(project=project, title="Wireframes")
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/board/")
    item = page.locator(f"#card-{card.pk}")
    item.get_by_role("link", name="No due date").click()
    item.get_by_label("Due date").fill("2031-05-04")
    item.get_by_role("button", name="Save").click()
    shown = date_format(datetime.date(2031, 5, 4), "SHORT_DATE_FORMAT")
    expect(page.locator(f"#card-{card.pk} .due")).to_have_text(shown)
    card.refresh_from_db()
    assert card.due_date == datetime.date(2031, 5, 4)


def test_two_people_edit_the_same_card_and_the_second_sees_the_conflict(
    new_page, pm: User, member: User, project: Project
) -> None:
    card = CardFactory(project=project, title="Copy for the home page")
    first, second = new_page(), new_page()
    for page, user in ((first, pm), (second, member)):
        log_in(page, user)
        page.goto(f"/projects/{project.pk}/board/")
        page.get_by_role("link", name="Copy for the home page").click()
        expect(page.locator("#panel").get_by_label("Title")).to_be_visible()
    first.locator("#panel").get_by_label("Description").fill("Tone: friendly")
    first.locator("#panel").get_by_role("button", name="Save card").click()
    expect(first.locator("#panel")).to_contain_text("Saved.")

    panel = second.locator("#panel")
    panel.get_by_label("Title").fill("Copy for the landing page")
    panel.get_by_role("button", name="Save card").click()
    expect(panel.get_by_role("alert")).to_contain_text("Someone else changed this card")
    expect(panel.get_by_label("Description")).to_have_value("Tone: friendly")
    expect(panel).to_contain_text("Copy for the landing page")  # what they typed, kept
    card.refresh_from_db()
    assert (card.title, card.description, card.version) == (
        "Copy for the home page",
        "Tone: friendly",
        2,
    )
    # Saving again from the current version goes through.
    panel.get_by_label("Title").fill("Copy for the landing page")
    panel.get_by_role("button", name="Save card").click()
    expect(panel).to_contain_text("Saved.")
    card.refresh_from_db()
    assert (card.title, card.description) == ("Copy for the landing page", "Tone: friendly")


def test_someone_elses_move_shows_on_an_open_board_but_not_while_one_is_typing(
    page: Page, pm: User, member: User, project: Project, settings: object
) -> None:
    settings.BOARD_POLL_SECONDS = 1
    card = CardFactory(project=project, title="Shared card")
    log_in(page, member)
    page.goto(f"/projects/{project.pk}/board/")
    page.evaluate("window.loadedOnce = true")
    quick_add = column(page, "In progress").get_by_placeholder("Add a card…")
    quick_add.fill("Half-typed card")
    services.card_move(actor=pm, card=card, version=card.version, status=TaskCard.Status.DONE)
    page.wait_for_timeout(2500)  # two polls: the board waits while one is typing on it
    expect(quick_add).to_have_value("Half-typed card")
    assert titles(page, "Done") == []
    quick_add.fill("")
    page.locator("h1").click()
    expect(column(page, "Done").locator("li.card .card-title")).to_have_text(["Shared card"])
    assert page.evaluate("window.loadedOnce") is True  # no reload: the columns were swapped


def test_the_pm_archives_a_card_and_brings_it_back(page: Page, pm: User, project: Project) -> None:
    CardFactory(project=project, title="Old idea", position=0)
    CardFactory(project=project, title="Next step", position=1)
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/board/")
    page.get_by_role("link", name="Old idea").click()
    page.locator("#panel").get_by_role("link", name="Archive card…").click()
    page.locator("#panel").get_by_role("button", name="Archive card").click()
    expect(page.locator("#panel")).to_contain_text("“Old idea” archived.")
    expect(page.locator("#col-todo li.card")).to_have_count(1)
    page.locator("#panel").get_by_role("button", name="Undo").click()
    expect(page.locator("#panel")).to_contain_text("Back on the board.")
    expect(page.locator("#col-todo .card-title")).to_have_text(["Old idea", "Next step"])
