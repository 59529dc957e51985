import re

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from milestones.models import SignOff
from projects.models import Project, TaskCard, User
from tests.e2e.support import log_in
from tests.portal.support import awaiting_milestone
from tests.projects.factories import CardFactory
from tests.support import RunningWorker

pytestmark = pytest.mark.e2e


def open_signoff(page: Page, project: Project, title: str) -> None:
    page.goto(f"/portal/projects/{project.pk}/")
    card = page.locator("article.milestone-card", has_text=title)
    card.get_by_role("link", name="Review and sign").click()
    expect(page.get_by_role("heading", name=f"Sign off “{title}”")).to_be_visible()


def test_a_contact_approves_a_milestone_and_the_pm_sees_it_approved(
    page: Page, new_page, client_contact: User, pm: User, project: Project
) -> None:
    milestone = awaiting_milestone(project, pm, "Beta release")
    log_in(page, client_contact)
    open_signoff(page, project, "Beta release")
    expect(page.get_by_role("cell", name="notes.pdf")).to_be_visible()
    page.get_by_label("Approve").check()
    page.get_by_label("Type your full name, Alice Acme, to sign").fill("Alice Acme")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status")).to_contain_text("Your decision is recorded: Approved")
    signoff = SignOff.objects.get(milestone=milestone)
    assert signoff.signer_name == "Alice Acme" and "Chrome" in signoff.user_agent

    pm_page = new_page()
    log_in(pm_page, pm)
    pm_page.goto(f"/projects/{project.pk}/")
    row = pm_page.locator("li", has_text="Beta release")
    expect(row.locator(".badge")).to_have_text("Approved")


def test_a_contact_sends_a_milestone_back_and_the_pm_board_shows_the_card(
    page: Page, new_page, client_contact: User, pm: User, project: Project
) -> None:
    awaiting_milestone(project, pm, "Clickable prototype")
    log_in(page, client_contact)
    open_signoff(page, project, "Clickable prototype")
    page.get_by_label("Request changes").check()
    page.get_by_label("Type your full name, Alice Acme, to sign").fill("Alice Acme")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_text("Say what needs to change.").first).to_be_visible()
    page.get_by_label("Comment").fill("The checkout step is missing.")
    page.get_by_role("button", name="Record my decision").click()
    expect(page.get_by_role("status")).to_contain_text("Changes requested")

    pm_page = new_page()
    log_in(pm_page, pm)
    pm_page.goto(f"/projects/{project.pk}/board/")
    expect(pm_page.get_by_text("Changes requested: Clickable prototype (round 1)")).to_be_visible()


def test_a_contact_marks_an_owed_item_done(
    page: Page, client_contact: User, project: Project
) -> None:
    card = CardFactory(
        project=project, title="Send brand assets", responsible="client", client_visible=True
    )
    log_in(page, client_contact)
    page.goto(f"/portal/projects/{project.pk}/")
    waiting = page.locator("#waiting")
    expect(waiting.get_by_text("Send brand assets")).to_be_visible()
    waiting.get_by_role("button", name="Mark done").click()
    expect(page.locator("#waiting")).to_contain_text("Nothing is waiting on you")
    card.refresh_from_db()
    assert card.status == TaskCard.Status.DONE


def test_an_invited_contact_sets_a_password_and_lands_in_the_portal(
    celery_worker: RunningWorker, page: Page, new_page, pm: User, project: Project
) -> None:
    log_in(page, pm)
    page.goto(f"/projects/{project.pk}/invite/")
    page.get_by_label("Full name").fill("Carol Client")
    page.get_by_label("E-mail address").fill("carol@acme.example")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to carol@acme.example")
    celery_worker.wait_for(lambda: len(mail.outbox) == 1)
    path = re.search(r"https?://[^/\s]+(/invitation/\S+)", mail.outbox[0].body).group(1)

    invitee = new_page()
    invitee.goto(path)
    expect(invitee.get_by_role("heading", name="Welcome, Carol")).to_be_visible()
    invitee.get_by_label(re.compile(r"^New password:?$")).fill("a brand new secret 42")
    invitee.get_by_label("New password confirmation").fill("a brand new secret 42")
    invitee.get_by_role("button", name="Save and open the portal").click()
    expect(invitee).to_have_url(re.compile(r"/portal/$"))
    expect(invitee.get_by_role("link", name="Portal relaunch")).to_be_visible()


def test_marking_done_in_the_portal_updates_the_items_table_and_can_be_undone(
    page: Page, client_contact: User, project: Project
) -> None:
    card = CardFactory(
        project=project, title="Send brand assets", responsible="client", client_visible=True
    )
    log_in(page, client_contact)
    page.goto(f"/portal/projects/{project.pk}/")
    page.evaluate("window.loadedOnce = true")
    row = page.locator("#items tr", has_text="Send brand assets")
    expect(row).to_contain_text("To do")
    page.locator("#waiting").get_by_role("button", name="Mark done").click()
    expect(page.locator("#waiting")).to_contain_text("Nothing is waiting on you")
    expect(page.locator("#items tr", has_text="Send brand assets")).to_contain_text("Done")
    expect(page.locator("#activity")).to_contain_text("marked done by the client")
    page.locator("#waiting").get_by_role("button", name="Undo").click()
    expect(page.locator("#waiting")).to_contain_text("is waiting on you again")
    expect(page.locator("#items tr", has_text="Send brand assets")).to_contain_text("To do")
    assert page.evaluate("window.loadedOnce") is True  # no reload
    card.refresh_from_db()
    assert card.status == TaskCard.Status.TODO
