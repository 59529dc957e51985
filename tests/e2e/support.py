"""What a person does in the browser before the test begins."""

from playwright.sync_api import Page

from projects.models import User
from tests.projects.factories import PASSWORD


def log_in(page: Page, user: User, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
