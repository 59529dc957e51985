import re

import pytest
from playwright.sync_api import Page, expect

from notifications.models import Notification
from projects.models import Project, User
from tests.e2e.support import log_in
from tests.notifications.factories import NotificationFactory

pytestmark = pytest.mark.e2e


def test_the_bell_shows_the_unread_count_and_mark_all_read_clears_it(
    page: Page, pm: User, project: Project
) -> None:
    NotificationFactory.create_batch(3, recipient=pm, project=project)
    NotificationFactory(recipient=pm, title="Read long ago", read_at="2026-03-01T12:00Z")
    log_in(page, pm)
    bell = page.locator("#bell")
    expect(bell.locator(".bell-count")).to_have_text(re.compile(r"^\s*3"))

    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications/$"))
    expect(page.locator("li.notification.unread")).to_have_count(3)
    page.get_by_role("button", name="Mark all as read").click()

    expect(page.locator("#bell .bell-count")).to_have_count(0)
    expect(page.locator("li.notification.unread")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    assert not Notification.objects.filter(recipient=pm, read_at__isnull=True).exists()


def test_marking_one_read_updates_the_count_in_place(page: Page, pm: User) -> None:
    first, _second = NotificationFactory.create_batch(2, recipient=pm)
    log_in(page, pm)
    page.goto("/notifications/")
    expect(page.locator("#bell .bell-count")).to_have_text(re.compile(r"^\s*2"))
    page.locator(f"#notification-{first.pk}").get_by_role("button", name="Mark as read").click()
    expect(page.locator("#bell .bell-count")).to_have_text(re.compile(r"^\s*1"))
    expect(page.locator(f"#notification-{first.pk}")).not_to_have_class(re.compile("unread"))
