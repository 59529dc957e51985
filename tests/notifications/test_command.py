from io import StringIO

import time_machine
from django.core.management import call_command

from notifications.models import Notification
from projects.models import Project, User
from tests.projects.factories import CardFactory


def check_overdue(*args: str) -> str:
    out = StringIO()
    with time_machine.travel("2026-03-10T12:00Z", tick=False):
        call_command("check_overdue", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_what_it_would_send_and_sends_nothing(
    project: Project, pm: User, django_capture_on_commit_callbacks
) -> None:
    CardFactory(project=project, title="Design review", due_date="2026-03-02")
    with django_capture_on_commit_callbacks() as callbacks:
        output = check_overdue("--dry-run")
    assert "overdue" in output and pm.email in output and "Design review" in output
    assert "1 notifications would be created." in output
    assert not Notification.objects.exists()
    assert callbacks == []


def test_the_command_creates_once_and_reports_nothing_new_the_second_time(
    project: Project, pm: User
) -> None:
    CardFactory(project=project, title="Design review", due_date="2026-03-02")
    assert "1 notifications created." in check_overdue()
    assert Notification.objects.get().recipient == pm
    assert check_overdue().strip() == "0 notifications created."
