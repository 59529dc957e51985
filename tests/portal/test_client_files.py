"""The client downloads the files put to them — submitted or decided — and never a draft."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient
from django.urls import reverse

from milestones.models import DeliverableVersion, Milestone, Phase
from milestones.services import milestone_submit, version_upload
from projects.models import Project, User
from tests.milestones.factories import MilestoneFactory, VersionFactory
from tests.portal.support import decide
from tests.support import client_for


def download(http: HttpClient, version: DeliverableVersion) -> int:
    return http.get(reverse("portal:version_download", args=[version.pk])).status_code


def portal_page(http: HttpClient, project: Project) -> str:
    return http.get(reverse("portal:project", args=[project.pk])).content.decode()


def link_to(version: DeliverableVersion) -> str:
    return reverse("portal:version_download", args=[version.pk])


def notes(milestone: Milestone) -> list[DeliverableVersion]:
    """The Notes deliverable's versions, oldest first."""
    return list(milestone.deliverables.get(title="Notes").versions.order_by("number"))


def test_a_draft_milestones_file_is_not_found(client_contact: User, project: Project, pm) -> None:
    draft = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.DEV_TEST), status=Milestone.Status.IN_PROGRESS
    )
    version = VersionFactory(deliverable__milestone=draft, uploaded_by=pm)
    http = client_for(client_contact)
    assert download(http, version) == 404
    page = portal_page(http, project)
    assert version.deliverable.title in page
    assert link_to(version) not in page
    assert "shared with you when the milestone is submitted" in page


def test_the_current_version_awaiting_sign_off_downloads(client_contact, awaiting) -> None:
    (current,) = notes(awaiting)
    http = client_for(client_contact)
    assert download(http, current) == 200
    assert link_to(current) in portal_page(http, awaiting.phase.project)


def test_a_superseded_version_nobody_signed_is_not_found(client_contact, awaiting, pm) -> None:
    (first,) = notes(awaiting)
    second = VersionFactory(deliverable=first.deliverable, number=2, uploaded_by=pm)
    http = client_for(client_contact)
    assert download(http, first) == 404
    assert download(http, second) == 200
    page = portal_page(http, awaiting.phase.project)
    assert link_to(first) not in page
    assert link_to(second) in page


def test_a_signed_version_stays_downloadable_after_it_is_replaced(
    client_contact: User, awaiting: Milestone, pm: User
) -> None:
    decide(awaiting, client_contact)
    (signed,) = notes(awaiting)
    replacement = SimpleUploadedFile("notes.pdf", b"%PDF-1.4 second cut", "application/pdf")
    version_upload(actor=pm, deliverable=signed.deliverable, upload=replacement)
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.IN_PROGRESS
    signed, draft = notes(awaiting)
    http = client_for(client_contact)
    # Back at work: the approved file is the client's evidence, the new one a draft.
    assert download(http, signed) == 200
    assert download(http, draft) == 404
    page = portal_page(http, awaiting.phase.project)
    assert link_to(signed) in page and link_to(draft) not in page
    assert "a new version is in preparation" in page

    milestone_submit(actor=pm, milestone=awaiting)
    assert download(http, signed) == 200
    assert download(http, draft) == 200
    page = portal_page(http, awaiting.phase.project)
    assert link_to(draft) in page and link_to(signed) not in page


def test_files_of_a_rejected_submission_stay_downloadable(client_contact, awaiting) -> None:
    decide(awaiting, client_contact, decision="changes_requested", comment="Fix the typo")
    (rejected,) = notes(awaiting)
    assert download(client_for(client_contact), rejected) == 200


def test_the_team_still_downloads_drafts(member: User, project: Project, pm: User) -> None:
    draft = MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.DEV_TEST))
    version = VersionFactory(deliverable__milestone=draft, uploaded_by=pm)
    url = reverse("milestones:download", args=[version.pk])
    assert client_for(member).get(url).status_code == 200
