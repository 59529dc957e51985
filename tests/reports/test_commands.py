from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.models import StatusReport
from tests.reports.support import MARKER, Week7, pdf_text


def test_render_report_writes_a_finished_week_and_stores_it(week7: Week7, tmp_path: Path) -> None:
    output = tmp_path / "client.pdf"
    call_command(
        "render_report", "ACME-CN", "--week", "2026-W07", "--audience", "client", "-o", output
    )
    text = pdf_text(output.read_bytes())
    assert "客户门户改版" in text and MARKER not in text
    report = StatusReport.objects.get(audience="client", period="2026-W07")
    assert report.complete and report.trigger == StatusReport.Trigger.WEEKLY


def test_render_report_by_id_for_the_week_under_way_stores_nothing(
    week7: Week7, tmp_path: Path
) -> None:
    output = tmp_path / "now.pdf"
    call_command("render_report", str(week7.project.pk), "-o", output)
    assert "2026-W08" in pdf_text(output.read_bytes())
    assert not StatusReport.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["NOPE"], "No project with id or code"),
        (["ACME-CN", "--week", "2026-W09"], "has not started yet"),
        (["ACME-CN", "--week", "26-9"], "is not an ISO week"),
    ],
)
def test_render_report_explains_bad_input(
    week7: Week7, tmp_path: Path, arguments: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("render_report", *arguments, "-o", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()
