import re
import subprocess

import pytest
from playwright.sync_api import Page, expect

from projects.models import Project, User
from reports.models import StatusReport
from reports.periods import Week
from reports.services import report_render_weekly
from tests.e2e.support import log_in
from tests.projects.factories import CardFactory

pytestmark = pytest.mark.e2e


def text_of(path: str) -> str:
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, check=True).stdout.decode()


def test_pm_generates_a_report_and_downloads_it(
    page: Page, pm: User, project: Project, celery_worker
) -> None:
    CardFactory(project=project, title="报表里的中文卡片", status="in_progress")
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/")
    panel = page.locator("#report-panel")
    panel.get_by_role("button", name="Generate report").click()
    expect(panel.get_by_role("status")).to_be_visible()  # queued or rendering, polled by htmx
    download_link = panel.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=45_000)
    with page.expect_download() as download:
        download_link.click()
    assert re.fullmatch(r"status-report-P-\d+-\d{4}-W\d{2}\.pdf", download.value.suggested_filename)
    text = text_of(download.value.path())
    assert "Portal relaunch" in text and "报表里的中文卡片" in text


def test_client_contact_downloads_the_client_version_from_the_portal(
    page: Page, client_contact: User, project: Project
) -> None:
    week = Week.current(time_zone=project.client.time_zone).shifted(-1)
    report_render_weekly(project_id=project.pk, week=week, audience=StatusReport.Audience.CLIENT)
    log_in(page, client_contact)
    page.goto(f"/portal/projects/{project.pk}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    assert download.value.suggested_filename.endswith(f"{week}-client.pdf")
    text = text_of(download.value.path())
    assert "Portal relaunch" in text and "Client version" in text
