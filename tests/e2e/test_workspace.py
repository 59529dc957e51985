import pytest
from playwright.sync_api import Page, expect

from milestones.models import Milestone, Phase
from notifications.models import Notification
from projects.models import Project, User
from tests.e2e.support import log_in
from tests.milestones.factories import CriterionFactory, MilestoneFactory

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def test_pm_uploads_a_deliverable_and_submits_the_milestone_for_signoff(
    page: Page, pm: User, project: Project, client_contact: User
) -> None:
    milestone = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.PROTOTYPE), title="Clickable prototype"
    )
    CriterionFactory(milestone=milestone, text="Usability test with five people")
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("link", name="Clickable prototype").click()
    submit = page.get_by_role("button", name="Submit for sign-off")
    expect(submit).to_be_disabled()

    page.get_by_role("button", name="Mark as met").click()
    expect(page.get_by_role("button", name="Reopen")).to_be_visible()

    page.get_by_label("Title").fill("Prototype walkthrough")
    page.get_by_label("File").set_input_files(
        {"name": "walkthrough.txt.exe", "mimeType": "application/pdf", "buffer": b"MZ\x90"}
    )
    page.get_by_role("button", name="Add deliverable").click()
    expect(page.get_by_text("is not an accepted file")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Prototype walkthrough")

    page.get_by_label("File").set_input_files(
        {"name": "walkthrough.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_role("button", name="Add deliverable").click()
    expect(page.get_by_role("link", name="v1 · walkthrough.pdf")).to_be_visible()

    expect(submit).to_be_enabled()
    submit.click()
    expect(page.get_by_text("Waiting for the client's sign-off.")).to_be_visible()
    expect(page.get_by_text("Awaiting sign-off", exact=True)).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("reopens it")
    milestone.refresh_from_db()
    assert (milestone.status, milestone.revision) == (Milestone.Status.AWAITING_SIGNOFF, 1)
    requested = Notification.objects.get(kind=Notification.Kind.SIGNOFF_REQUESTED)
    assert requested.recipient == client_contact


def test_the_undo_goes_away_when_its_seconds_are_over(
    page: Page, pm: User, project: Project, settings: object
) -> None:
    settings.UNDO_SECONDS = 2
    milestone = MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE))
    CriterionFactory(milestone=milestone, text="Coverage at 90 %")
    log_in(page, pm)
    page.goto(f"/projects/milestones/{milestone.pk}/")
    page.get_by_role("link", name="Delete Coverage at 90 %").click()
    page.get_by_role("button", name="Delete").click()
    undo = page.locator("#work").get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    expect(page.locator("#work")).not_to_contain_text("Mark as met")
    expect(undo).to_have_count(0, timeout=5000)
