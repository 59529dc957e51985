import re

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project, User
from tests.e2e.support import log_in
from tests.projects.factories import PASSWORD

pytestmark = pytest.mark.e2e


def test_pm_logs_in_and_sees_the_project_list(page: Page, pm: User, project: Project) -> None:
    log_in(page, pm)
    expect(page).to_have_url(re.compile(r"/projects/$"))
    expect(page.get_by_role("link", name="Portal relaunch")).to_be_visible()
    page.get_by_role("link", name="Portal relaunch").click()
    expect(page.get_by_role("heading", name="Portal relaunch")).to_be_visible()
    expect(page.get_by_role("heading", name="Requirements")).to_be_visible()
    expect(page.get_by_role("img", name="Phase timeline")).to_be_visible()


def test_client_logs_in_to_the_portal_and_logs_out(
    page: Page, client_contact: User, project: Project
) -> None:
    log_in(page, client_contact)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("link", name="Portal relaunch")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="You are logged out")).to_be_visible()


def test_a_wrong_password_is_explained_on_the_page(page: Page, pm: User) -> None:
    log_in(page, pm, password="not the password")
    expect(page.get_by_role("alert")).to_contain_text("do not match")


def test_failures_in_one_case_lock_the_address_typed_in_another(
    page: Page, pm: User, settings
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(page, pm, password="not the password")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("  PM@Example.COM ")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Log in").click()
    assert posted.value.status == 429
    expect(page.get_by_role("heading", name="Too many failed logins")).to_be_visible()
    page.goto("/projects/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
