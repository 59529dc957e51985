"""The Content-Security-Policy in a real browser: it refuses inline code, htmx evaluates none,
the fixture notices (so any refusal on any page fails its test), and the admin works under
it."""

import re
import time

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project, TaskCard, User
from tests.e2e.support import log_in
from tests.projects.factories import CardFactory, UserFactory

pytestmark = pytest.mark.e2e

INJECT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true";
  document.body.append(script);
  document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: red">x</p>');
  document.body.insertAdjacentHTML(
    "beforeend", '<button id="filtered" hx-get="/" hx-trigger="click[window.clicked = true]">');
  htmx.process(document.getElementById("filtered"));
  document.getElementById("filtered").click();
}"""


def wait_for(violations: list[str], count: int) -> None:
    deadline = time.monotonic() + 5
    while len(violations) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_inline_code_and_eval_are_refused_and_every_refusal_is_noticed(
    page: Page, pm: User, project: Project, csp_violations: list[str]
) -> None:
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/board/")
    config = "[htmx.config.allowEval, htmx.config.includeIndicatorStyles]"
    assert page.evaluate(config) == [False, False]
    assert "style" not in page.evaluate("htmx.config.attributesToSettle")
    assert page.locator("style").count() == 0  # htmx injected none
    page.evaluate(INJECT)
    wait_for(csp_violations, 5)
    assert page.evaluate("[window.injected, window.clicked]") == [None, None]
    assert page.locator("#styled").evaluate("p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    refused = "\n".join(csp_violations)
    for refusal in ("script-src", "style-src", "htmx:evalDisallowedError"):
        assert refusal in refused
    csp_violations.clear()  # expected here; anywhere else they fail the test


def test_the_admin_change_list_and_change_form_work_under_the_policy(
    page: Page, pm: User, project: Project
) -> None:
    card = CardFactory(project=project, title="Wrong title", position=0)
    CardFactory(project=project, title="Left over", position=1)
    log_in(page, UserFactory(role=User.Role.MANAGER, is_staff=True, is_superuser=True))
    page.goto("/admin/projects/taskcard/")
    page.get_by_role("link", name="To do").click()  # the filter sidebar
    expect(page).to_have_url(f"{page.url.split('?')[0]}?status__exact=todo")
    page.get_by_role("link", name="Wrong title").click()
    page.get_by_label("Title:").fill("Right title")
    page.locator(".field-assignee .select2-selection").click()  # the autocomplete widget
    page.locator(".select2-search__field").fill(pm.full_name.split()[0])
    page.locator(".select2-results__option", has_text=pm.full_name).click()
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    card.refresh_from_db()
    assert (card.title, card.assignee) == ("Right title", pm)

    page.locator("tr", has_text="Left over").locator("input.action-select").check()
    page.locator("select[name=action]").select_option("delete_selected")
    page.locator("button[name=index]").click()
    page.get_by_role("button", name=re.compile("^Yes")).click()
    expect(page.locator(".messagelist")).to_contain_text("Successfully deleted 1")
    assert list(project.cards.values_list("title", "position")) == [("Right title", 0)]
    assert TaskCard.objects.count() == 1
