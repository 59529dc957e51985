"""A person chooses their language and time zone on their profile; before logging in, the
login page's own switch."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project, User
from tests.e2e.support import log_in

pytestmark = pytest.mark.e2e


def test_a_client_switches_to_chinese_on_the_profile_and_the_next_pages_are_chinese(
    page: Page, new_page: Callable[[], Page], client_contact: User, project: Project
) -> None:
    log_in(page, client_contact)
    page.get_by_role("link", name=client_contact.full_name).click()
    expect(page).to_have_url(re.compile(r"/accounts/profile/$"))
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_label("Time zone").select_option("Asia/Shanghai")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_have_text("您的个人设置已保存。")
    expect(page.get_by_role("heading", name="个人设置")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()
    page.get_by_role("link", name="我的项目").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    client_contact.refresh_from_db()
    assert (client_contact.language, client_contact.time_zone) == ("zh-hans", "Asia/Shanghai")

    # Another browser, English like the first: the choice comes with the person.
    elsewhere = new_page()
    log_in(elsewhere, client_contact)
    expect(elsewhere.get_by_role("button", name="退出登录")).to_be_visible()


def test_the_login_page_switches_language_before_logging_in(page: Page) -> None:
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.get_by_label("邮箱地址")).to_be_visible()
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
