import datetime
import subprocess
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import time_machine

from milestones.models import Milestone, Phase
from projects.models import Project, TaskCard, User
from tests.milestones.factories import MilestoneFactory, SignOffFactory
from tests.projects.factories import CardFactory, ClientFactory, ProjectFactory

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


@pytest.fixture
def now() -> Iterator[datetime.datetime]:
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def week7(now: datetime.datetime, pm: User) -> Week7:
    """A project in Berlin whose week 2026-W07 has something in every section."""
    project = ProjectFactory(
        pm=pm,
        name="客户门户改版",
        code="ACME-CN",
        client=ClientFactory(name="Acme GmbH", time_zone="Europe/Berlin"),
        start_date=datetime.date(2026, 1, 5),
        end_date=datetime.date(2026, 6, 30),
    )
    team, client = TaskCard.Responsible.TEAM, TaskCard.Responsible.CLIENT
    done = TaskCard.Status.DONE
    card(project, "Done before the week", status=done, completed_at=at(5))
    card(project, "Login page shipped", status=done, completed_at=at(10), client_visible=True)
    card(project, "Search indexed", status=done, completed_at=at(14))
    # Due Wednesday the 11th, done Friday the 13th: Thursday the 12th was lost on our side.
    card(project, "Payment flow", status=done, completed_at=at(13), due_date=at(11).date())
    # Due Tuesday the 10th and still open: Wednesday to Sunday lost, 5 days late on Sunday.
    card(project, "Late on our side", due_date=at(10).date(), responsible=team)
    # Due Thursday the 12th, owed by the client: Friday to Sunday lost on their side.
    card(
        project,
        "Provide test accounts & <VPN> keys",
        due_date=at(12).date(),
        responsible=client,
        client_visible=True,
    )
    # Done on the 17th, after the week: on Sunday it was still open and one day late.
    card(project, "Finished too late", status=done, completed_at=at(17), due_date=at(14).date())
    card(
        project,
        "Migrate ledger",
        status=TaskCard.Status.BLOCKED,
        blocked_reason=f"Vendor contract unsigned {MARKER}",
        client_visible=True,
    )
    card(project, f"Secret pricing review {MARKER}", status=TaskCard.Status.IN_PROGRESS)
    card(project, "上线准备工作", status=TaskCard.Status.IN_PROGRESS, client_visible=True)
    card(project, "Due on the 18th", due_date=at(18).date(), client_visible=True)
    card(
        project,
        "Colour of the header",
        source=TaskCard.Source.FEEDBACK,
        status=TaskCard.Status.IN_REVIEW,
        client_visible=True,
        created=11,
    )
    card(project, "Created after the week", created=17)
    milestone = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.REQUIREMENTS),
        title="Requirements signed off",
        due_date=datetime.date(2026, 2, 6),
        status=Milestone.Status.APPROVED,
        approved_at=at(10),
    )
    SignOffFactory(milestone=milestone, signer_name="Ada Lovelace", signed_at=at(10, 15))
    MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.PROTOTYPE),
        title="Clickable prototype",
        due_date=datetime.date(2026, 2, 13),
        status=Milestone.Status.AWAITING_SIGNOFF,
    )
    return Week7(project=project, pm=pm)
