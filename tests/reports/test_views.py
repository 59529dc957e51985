"""Generate on demand, the project panel, the archive, downloads and the portal list."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from projects.models import Project, User
from reports.models import StatusReport
from reports.periods import Week
from reports.services import requested_reports_sweep
from reports.tasks import render_requested_report
from tests.projects.factories import ProjectFactory, UserFactory
from tests.reports.factories import StatusReportFactory
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def generate(user: User, project: Project, audience: str = "internal", **headers: str):
    url = reverse("reports:project", args=[project.pk])
    return client_for(user).post(url, {"audience": audience}, **headers)


def test_generate_queues_a_report_of_the_week_under_way_and_renders_it_in_the_background(
    pm: User, project: Project, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        response = generate(pm, project, **HTMX)
    assert response.status_code == 200
    report = StatusReport.objects.get(project=project)
    assert report.state == StatusReport.State.QUEUED and report.requested_by == pm
    assert report.period == Week.current(time_zone=project.client.time_zone).label
    assert "Queued" in response.text and "every 2s" in response.text
    assert len(callbacks) == 1

    render_requested_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == StatusReport.State.READY and report.size > 1000
    panel = client_for(pm).get(reverse("reports:project", args=[project.pk]), **HTMX)
    assert reverse("reports:download", args=[report.pk]) in panel.text
    assert "every 2s" not in panel.text
    assert pm.notifications.filter(kind="report", target=f"report:{report.pk}").exists()


def test_a_render_whose_message_was_lost_is_handed_out_again_once_a_minute_later(
    pm: User, project: Project, eager: None, django_capture_on_commit_callbacks
) -> None:
    generate(pm, project)  # its enqueue after commit never happens here: the message is lost
    report = StatusReport.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert requested_reports_sweep(now=timezone.now(), limit=10) == []
    later = timezone.now() + datetime.timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert requested_reports_sweep(now=later, limit=10) == [report.pk]
        with django_capture_on_commit_callbacks(execute=True):
            assert requested_reports_sweep(now=later, limit=10) == []  # a second beat
    report.refresh_from_db()
    assert report.state == StatusReport.State.READY


def test_clicking_twice_while_it_renders_queues_one_render(
    pm: User, project: Project, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        generate(pm, project)
        response = generate(pm, project)
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert StatusReport.objects.count() == 1 and len(callbacks) == 1


def test_a_render_that_fails_says_so_and_can_be_asked_again(
    pm: User, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate(pm, project)
    report = StatusReport.objects.get()
    monkeypatch.setattr("reports.rendering.report_pdf", lambda data: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        render_requested_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.state == StatusReport.State.FAILED
    panel = client_for(pm).get(reverse("reports:project", args=[project.pk]))
    assert "could not be generated" in panel.text
    generate(pm, project)
    report.refresh_from_db()
    assert report.state == StatusReport.State.QUEUED and report.error == ""


def test_an_unknown_version_is_explained_and_queues_nothing(pm: User, project: Project) -> None:
    response = generate(pm, project, audience="everyone")
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert "Generate report" in response.text and "<html" in response.text
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize("persona", ["client_contact", "other_client_contact", "outsider"])
def test_people_outside_the_project_cannot_generate(request, persona: str, project) -> None:
    user = (
        UserFactory(role=User.Role.PM)
        if persona == "outsider"
        else request.getfixturevalue(persona)
    )
    assert generate(user, project).status_code == 404
    assert not StatusReport.objects.exists()


def test_a_team_member_cannot_publish_the_client_version(member: User, project) -> None:
    assert generate(member, project, audience="client").status_code == 403
    assert not StatusReport.objects.exists()
    panel = client_for(member).get(reverse("reports:project", args=[project.pk])).text
    assert 'value="internal"' in panel and 'value="client"' not in panel
    detail = client_for(member).get(reverse("projects:detail", args=[project.pk])).text
    assert 'value="internal"' in detail and 'value="client"' not in detail
    assert generate(member, project).status_code == 302  # their own internal report they may


@pytest.mark.parametrize("persona", ["pm", "manager"])
def test_the_pm_and_managers_publish_the_client_version(request, persona: str, project) -> None:
    user = request.getfixturevalue(persona)
    assert (
        'value="client"' in client_for(user).get(reverse("projects:detail", args=[project.pk])).text
    )
    assert generate(user, project, audience="client").status_code == 302
    assert StatusReport.objects.get().audience == StatusReport.Audience.CLIENT


def test_team_and_managers_download_internal_reports(member: User, manager: User, project) -> None:
    report = StatusReportFactory(project=project, content=b"%PDF-1.7 internal")
    for user in (member, manager):
        response = client_for(user).get(reverse("reports:download", args=[report.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == b"%PDF-1.7 internal"


def test_client_contacts_cannot_use_internal_downloads(client_contact: User, project) -> None:
    report = StatusReportFactory(project=project, audience=StatusReport.Audience.CLIENT)
    url = reverse("reports:download", args=[report.pk])
    assert client_for(client_contact).get(url).status_code == 404


def test_the_portal_lists_and_serves_client_versions_only(client_contact: User, project) -> None:
    client_version = StatusReportFactory(project=project, audience="client", period="2026-W07")
    internal = StatusReportFactory(project=project, audience="internal", period="2026-W07")
    unfinished = StatusReportFactory(
        project=project, audience="client", period="2026-W08", state="queued"
    )
    http = client_for(client_contact)
    page = http.get(reverse("portal:project", args=[project.pk])).text
    assert reverse("reports:portal_download", args=[client_version.pk]) in page
    assert f"/reports/portal/{unfinished.pk}/" not in page
    assert http.get(reverse("reports:portal_download", args=[client_version.pk])).status_code == 200
    for hidden in (internal, unfinished):
        url = reverse("reports:portal_download", args=[hidden.pk])
        assert http.get(url).status_code == 404


def test_internal_users_cannot_use_portal_downloads(pm: User, project) -> None:
    report = StatusReportFactory(project=project, audience="client")
    url = reverse("reports:portal_download", args=[report.pk])
    assert client_for(pm).get(url).status_code == 404


def test_the_project_page_shows_the_panel_with_recent_reports(pm: User, project) -> None:
    report = StatusReportFactory(project=project)
    page = client_for(pm).get(reverse("projects:detail", args=[project.pk])).text
    assert "Generate report" in page
    assert reverse("reports:download", args=[report.pk]) in page


@pytest.mark.parametrize("size", [2, 30])
def test_archive_lists_visible_reports_in_a_fixed_number_of_queries(
    pm: User, size: int, django_assert_max_num_queries
) -> None:
    projects = [ProjectFactory(pm=pm) for _ in range(2)]
    for number in range(size):
        StatusReportFactory(project=projects[number % 2], period=f"2025-W{number + 10:02d}")
    hidden = StatusReportFactory(period="2025-W01")
    http = client_for(pm)
    with django_assert_max_num_queries(7):
        response = http.get(reverse("reports:archive"))
    assert response.text.count("/download/") == size
    assert f"/reports/{hidden.pk}/download/" not in response.text
    filtered = http.get(reverse("reports:archive"), {"project": projects[0].pk}, **HTMX)
    assert filtered.text.count("/download/") == (size + 1) // 2
    assert "<html" not in filtered.text
