"""Report test data: the week 2026-W07 reported on, cards dated inside it, a portfolio of
projects for the weekly mail, and PDFs read back as text."""

import datetime
import subprocess
import zoneinfo
from dataclasses import dataclass

from projects.models import Project, TaskCard, User
from reports.periods import Week
from tests.projects.factories import CardFactory, ContactFactory, ProjectFactory, UserFactory

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
MARKER = "INTERNAL-ONLY-7Q"
# Wednesday of ISO week 2026-W08: the week reported on, 2026-W07, ran 9 to 15 February.
NOW = datetime.datetime(2026, 2, 18, 10, 0, tzinfo=BERLIN)


def pdf_text(content: bytes, *, layout: bool = True) -> str:
    """The PDF's text: as laid out on the page, or else in reading order (table cells whole)."""
    result = subprocess.run(
        ["pdftotext", *(["-layout"] if layout else []), "-enc", "UTF-8", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return result.stdout.decode()


def at(day: int, hour: int = 12) -> datetime.datetime:
    return datetime.datetime(2026, 2, day, hour, tzinfo=BERLIN)


def card(project: Project, title: str, *, created: int = 1, **fields: object) -> TaskCard:
    """A card as it stands now, created on that day of February (not today)."""
    made = CardFactory(project=project, title=title, **fields)
    TaskCard.objects.filter(pk=made.pk).update(created_at=at(created, 9))
    return made


@dataclass
class Week7:
    project: Project
    pm: User


# Monday of 2026-W08, 08:00 in Berlin: the job reports on 2026-W07.
MONDAY = datetime.datetime(2026, 2, 16, 8, tzinfo=BERLIN)
W07 = Week.parse("2026-W07")


@dataclass
class Portfolio:
    manager: User
    pm: User
    other_pm: User
    contact: User
    internal_only: Project
    shared: Project


def make_portfolio() -> Portfolio:
    manager = UserFactory(role=User.Role.MANAGER, email="boss@example.com", full_name="Mia Boss")
    pm = UserFactory(role=User.Role.PM, email="paula@example.com")
    other_pm = UserFactory(role=User.Role.PM, email="otto@example.com")
    UserFactory(role=User.Role.MEMBER, email="member@example.com")
    start, end = datetime.date(2026, 1, 5), datetime.date(2026, 6, 30)
    internal_only = ProjectFactory(pm=pm, name="Warehouse scanners", start_date=start, end_date=end)
    shared = ProjectFactory(
        pm=other_pm, name="Shop relaunch", mail_client_reports=True, start_date=start, end_date=end
    )
    ProjectFactory(pm=pm, name="Old archive", status=Project.Status.ARCHIVED)
    contact = ContactFactory(client=shared.client, user__email="cto@client.example").user
    for project in (internal_only, shared):
        card(project, f"Internal note {MARKER}", due_date=W07.first_day)
        card(
            project,
            "Client data export",
            responsible=TaskCard.Responsible.CLIENT,
            client_visible=True,
            due_date=W07.first_day,
        )
    return Portfolio(manager, pm, other_pm, contact, internal_only, shared)
