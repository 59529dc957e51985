"""The PDFs say what the data says: each section and figure read back from the rendered file."""

import datetime
import re

import pytest

from projects.models import TaskCard, User
from reports.models import StatusReport
from reports.periods import Week
from reports.selectors import report_data
from reports.services import report_render_weekly
from tests.projects.factories import ProjectFactory
from tests.reports.support import MARKER, NOW, Week7, at, card, pdf_text

W07 = Week.parse("2026-W07")


def rendered(week7: Week7, audience: str) -> tuple[StatusReport, str]:
    report = report_render_weekly(project_id=week7.project.pk, week=W07, audience=audience)
    with report.file.open("rb") as file:
        return report, pdf_text(file.read())


def section(text: str, heading: str, count: int) -> str:
    """The lines under a section heading, up to the next heading, after checking its count."""
    match = re.search(rf"^\s*{re.escape(heading)}\s+{count}\s*$", text, re.MULTILINE)
    assert match, f"no “{heading} {count}” heading in:\n{text}"
    rest = text[match.end() :]
    following = re.search(r"^\s*[A-Z][\w ()-]+\s+\d+\s*$", rest, re.MULTILINE)
    return rest[: following.start()] if following else rest


def row(text: str, *cells: str) -> None:
    pattern = r"\s+".join(re.escape(cell) for cell in cells)
    assert re.search(pattern, text), f"no row {cells} in:\n{text}"


@pytest.fixture
def internal(week7: Week7) -> tuple[StatusReport, str]:
    return rendered(week7, StatusReport.Audience.INTERNAL)


def test_internal_report_states_the_weeks_figures(internal: tuple[StatusReport, str]) -> None:
    report, text = internal
    assert report.complete and report.state == StatusReport.State.READY
    assert report.figures == {
        "health": "late",
        "progress": 33,
        "progress_change": 24,
        "completed": 3,
        "overdue": 3,
        "waiting_on_client": 1,
        "days_lost_team": 7,
        "days_lost_client": 3,
    }
    assert "客户门户改版" in text and "Acme GmbH" in text and "2026-W07" in text
    row(text, "33 %")
    row(text, "▲ 24 points since")
    row(text, "7", "3")  # days lost: ours, then the client's
    overdue = section(text, "Overdue", 3)
    row(overdue, "Late on our side", "02/10/2026", "5", "Our team")
    row(overdue, "Provide test accounts & <VPN> keys", "02/12/2026", "3", "Client")
    row(overdue, "Finished too late", "02/14/2026", "1", "Our team")
    completed = section(text, "Completed this week", 3)
    for title in ("Login page shipped", "Search indexed", "Payment flow"):
        assert title in completed
    assert "Done before the week" not in text and "Created after the week" not in text
    row(section(text, "Waiting on the client", 1), "<VPN> keys", "02/01/2026", "14")
    blocked = section(text, "Blocked", 1)
    row(blocked, "Migrate ledger", "Vendor contract unsigned")
    assert MARKER in blocked
    row(section(text, "Feedback received", 1), "Colour of the header", "02/11/2026", "In review")
    assert "Due on the 18th" in section(text, "Due next week (2026-W08)", 1)
    assert "上线准备工作" in section(text, "In progress", 3)


def test_milestones_show_due_date_status_and_who_signed_when(
    internal: tuple[StatusReport, str],
) -> None:
    milestones = section(internal[1], "Milestones", 2)
    row(milestones, "Requirements signed off", "Requirements", "02/06/2026", "Approved")
    assert "Approved: Ada Lovelace, 02/10/2026 3 p.m." in " ".join(milestones.split())
    row(milestones, "Clickable prototype", "Prototype", "02/13/2026", "Awaiting sign-off")


def test_client_version_holds_only_client_visible_content(week7: Week7) -> None:
    report, text = rendered(week7, StatusReport.Audience.CLIENT)
    assert MARKER not in text
    assert "Blocked" not in text and "Health" not in text
    assert "客户门户改版" in text and "上线准备工作" in text
    row(
        section(text, "Overdue", 1),
        "Provide test accounts & <VPN> keys",
        "02/12/2026",
        "3",
        "Client",
    )
    assert "Login page shipped" in section(text, "Completed this week", 1)
    assert report.figures["days_lost_team"] == 0 and report.figures["days_lost_client"] == 3


def test_a_finished_week_is_rendered_once_and_then_reused(week7: Week7) -> None:
    first = report_render_weekly(project_id=week7.project.pk, week=W07, audience="internal")
    again = report_render_weekly(project_id=week7.project.pk, week=W07, audience="internal")
    assert again.pk == first.pk and again.sha256 == first.sha256
    assert StatusReport.objects.count() == 1


def test_the_week_under_way_counts_up_to_today(week7: Week7) -> None:
    data = report_data(
        project_id=week7.project.pk, week=W07.shifted(1), audience="internal", now=NOW
    )
    assert not data.complete
    assert str(data.report_date) == "2026-02-18"
    # Finished on the 17th: done this week; the card due on the 18th is not late yet.
    assert [line.title for line in data.completed.lines] == ["Finished too late"]
    assert "Due on the 18th" not in [line.title for line in data.overdue.lines]


def test_the_report_data_takes_a_fixed_number_of_queries(
    week7: Week7, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(8):
        report_data(project_id=week7.project.pk, week=W07, audience="internal", now=NOW)


def test_a_first_report_shows_no_change_since_a_week_without_data(
    now: datetime.datetime, pm: User
) -> None:
    """Every card arrived during the week: there is nothing to compare with, not “▲ 50”."""
    project = ProjectFactory(pm=pm, name="Fresh start")
    card(project, "Kick-off held", status=TaskCard.Status.DONE, completed_at=at(10), created=9)
    card(project, "Workshop notes", created=10)
    data = report_data(project_id=project.pk, week=W07, audience="internal", now=NOW)
    assert (data.progress, data.progress_change) == (50, None)
    report = report_render_weekly(project_id=project.pk, week=W07, audience="client")
    assert report.figures["progress_change"] is None
    with report.file.open("rb") as file:
        text = " ".join(pdf_text(file.read(), layout=False).split())
    assert "No earlier week to compare with" in text
    assert "points since last week" not in text and "▲" not in text
