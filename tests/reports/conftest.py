import datetime
from collections.abc import Iterator

import pytest
import time_machine

from milestones.models import Milestone, Phase
from projects.models import TaskCard, User
from tests.milestones.factories import MilestoneFactory, SignOffFactory
from tests.projects.factories import ClientFactory, ProjectFactory
from tests.reports.support import MARKER, NOW, Week7, at, card


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
