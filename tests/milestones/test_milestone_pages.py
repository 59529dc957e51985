import datetime
import hashlib
import io
import json
import zipfile
from email.message import Message

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from milestones.models import DeliverableVersion, Milestone, Phase
from notifications.models import Notification
from projects.models import Activity, Project, User
from tests.milestones.factories import (
    CriterionFactory,
    DeliverableFactory,
    MilestoneFactory,
    VersionFactory,
)
from tests.projects.factories import ContactFactory
from tests.support import client_for

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def milestone(project: Project) -> Milestone:
    return MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE), title="Clickable")


def pdf(name: str = "spec.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_pm_creates_a_milestone_in_a_phase(pm: User, project: Project) -> None:
    phase = project.phases.get(kind=Phase.Kind.DEV_TEST)
    url = reverse("milestones:milestone_add", args=[phase.pk])
    data = {"title": "Beta", "due_date": "2031-03-01", "requires_signoff": "on"}
    response = client_for(pm).post(url, data)
    milestone = Milestone.objects.get(title="Beta")
    assert response.status_code == 302
    assert milestone.phase == phase and milestone.requires_signoff
    assert Activity.objects.filter(verb="milestone.created", actor=pm).count() == 1


def test_milestone_form_errors_keep_the_other_fields(pm: User, project: Project) -> None:
    url = reverse("milestones:milestone_add", args=[project.phases.first().pk])
    response = client_for(pm).post(url, {"title": "Keep this title", "due_date": "soon"})
    assert response.status_code == 422
    assert 'value="Keep this title"' in response.content.decode()
    assert not Milestone.objects.exists()


def test_pm_edits_a_milestone(pm: User, milestone: Milestone) -> None:
    url = reverse("milestones:milestone_edit", args=[milestone.pk])
    data = {"title": "Clickable v2", "due_date": "2031-04-01"}
    assert client_for(pm).post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.requires_signoff) == ("Clickable v2", False)
    activity = Activity.objects.get(verb="milestone.updated")
    assert (
        activity.summary
        == "Milestone “Clickable v2” changed: title, due date, requires client sign-off"
    )


def test_team_member_sees_the_milestone_but_cannot_change_it(
    member: User, milestone: Milestone
) -> None:
    http = client_for(member)
    assert http.get(reverse("milestones:milestone", args=[milestone.pk])).status_code == 200
    edit = reverse("milestones:milestone_edit", args=[milestone.pk])
    assert http.post(edit, {"title": "x", "due_date": "2031-01-01"}).status_code == 403
    criterion = reverse("milestones:criterion_add", args=[milestone.pk])
    assert http.post(criterion, {"text": "x"}).status_code == 403
    submit = reverse("milestones:submit", args=[milestone.pk])
    assert http.post(submit).status_code == 403
    milestone.refresh_from_db()
    assert milestone.title == "Clickable" and not milestone.criteria.exists()


def test_criteria_are_added_and_ticked_off(pm: User, milestone: Milestone) -> None:
    http = client_for(pm)
    add = reverse("milestones:criterion_add", args=[milestone.pk])
    response = http.post(add, {"text": "Coverage ≥ 90 %"}, **HTMX)
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<div id="work">')
    criterion = milestone.criteria.get()
    http.post(reverse("milestones:criterion_met", args=[criterion.pk]), {"met": "on"}, **HTMX)
    criterion.refresh_from_db()
    assert criterion.is_met and criterion.met_by == pm
    http.post(reverse("milestones:criterion_met", args=[criterion.pk]), {}, **HTMX)
    criterion.refresh_from_db()
    assert not criterion.is_met
    verbs = list(
        Activity.objects.filter(verb__startswith="criterion").values_list("verb", flat=True)
    )
    assert sorted(verbs) == ["criterion.created", "criterion.met", "criterion.unmet"]


def test_a_deliverable_with_its_first_file_is_stored_under_a_generated_name(
    pm: User, milestone: Milestone
) -> None:
    url = reverse("milestones:deliverable_add", args=[milestone.pk])
    data = {"title": "Spec", "description": "", "file": pdf("../../Spec Final.pdf")}
    assert client_for(pm).post(url, data).status_code == 302
    version = DeliverableVersion.objects.get(deliverable__title="Spec")
    assert version.number == 1
    assert version.original_name == "Spec Final.pdf"
    assert version.content_type == "application/pdf"
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.size == len(PDF)
    assert "Spec" not in version.file.name and version.sha256 in version.file.name
    assert version.file.read() == PDF
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.IN_PROGRESS


def test_an_office_document_is_accepted_by_its_content(pm: User, milestone: Milestone) -> None:
    deliverable = DeliverableFactory(milestone=milestone)
    upload = SimpleUploadedFile("plan.docx", docx())
    url = reverse("milestones:upload", args=[deliverable.pk])
    assert client_for(pm).post(url, {"file": upload}).status_code == 302
    assert deliverable.versions.get().content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", b"MZ\x90\x00 not a pdf at all"),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("report.docx", b"PK\x03\x04 broken zip"),
        ("notes.txt", b"\x00\x01\x02binary"),
    ],
)
def test_a_file_whose_content_is_not_an_allowed_type_is_refused_keeping_the_form(
    pm: User, milestone: Milestone, name: str, content: bytes
) -> None:
    url = reverse("milestones:deliverable_add", args=[milestone.pk])
    data = {"title": "Kept title", "description": "Kept text", "file": pdf(name, content)}
    response = client_for(pm).post(url, data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not an accepted file" in html
    assert 'value="Kept title"' in html and "Kept text" in html
    assert not milestone.deliverables.exists()


def test_a_file_over_the_size_limit_is_refused_with_a_clear_message(
    pm: User, milestone: Milestone, settings: object
) -> None:
    settings.DELIVERABLE_MAX_UPLOAD_BYTES = 20
    deliverable = DeliverableFactory(milestone=milestone)
    url = reverse("milestones:upload", args=[deliverable.pk])
    response = client_for(pm).post(url, {"file": pdf()}, **HTMX)
    assert response.status_code == 422
    assert "files can be at most 20" in response.content.decode()
    assert not deliverable.versions.exists()


def test_download_is_an_attachment_that_is_never_sniffed(pm: User, milestone: Milestone) -> None:
    version = VersionFactory(
        deliverable__milestone=milestone, original_name='evil".pdf', content=PDF
    )
    response = client_for(pm).get(reverse("milestones:download", args=[version.pk]))
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    header = Message()
    header["Content-Disposition"] = response["Content-Disposition"]
    assert header.get_content_disposition() == "attachment"
    assert header.get_filename() == 'evil".pdf'
    assert b"".join(response.streaming_content) == PDF


def ready(milestone: Milestone, pm: User) -> None:
    CriterionFactory(milestone=milestone, met_at=timezone.now())
    VersionFactory(deliverable__milestone=milestone, uploaded_by=pm)


def test_submit_is_refused_until_criteria_are_met_and_a_file_is_there(
    pm: User, milestone: Milestone
) -> None:
    criterion = CriterionFactory(milestone=milestone)
    url = reverse("milestones:submit", args=[milestone.pk])
    response = client_for(pm).post(url, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "1 acceptance criterion is not met yet." in html
    assert "Add at least one deliverable." in html
    criterion.met_at = timezone.now()
    criterion.save()
    DeliverableFactory(milestone=milestone, title="Empty")
    response = client_for(pm).post(url)
    assert "“Empty” has no file yet." in response.content.decode()
    milestone.refresh_from_db()
    assert (milestone.status, milestone.revision) == ("planned", 0)
    assert not Notification.objects.exists()


def test_submit_asks_the_clients_contacts_to_sign_off(
    pm: User, milestone: Milestone, client_contact: User, other_client_contact: User
) -> None:
    colleague = ContactFactory(client=milestone.phase.project.client).user
    ready(milestone, pm)
    response = client_for(pm).post(reverse("milestones:submit", args=[milestone.pk]))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.status, milestone.revision) == ("awaiting_signoff", 1)
    assert milestone.submitted_at is not None
    notifications = Notification.objects.filter(kind=Notification.Kind.SIGNOFF_REQUESTED)
    assert {n.recipient for n in notifications} == {client_contact, colleague}
    assert {n.dedupe_key for n in notifications} == {f"signoff_requested:{milestone.pk}:1"}
    assert Activity.objects.filter(verb="milestone.submitted", client_visible=True).count() == 1
    again = client_for(pm).post(reverse("milestones:submit", args=[milestone.pk]))
    assert again.status_code == 422
    assert notifications.count() == 2


def test_a_new_version_after_approval_reopens_the_milestone(pm: User, milestone: Milestone) -> None:
    ready(milestone, pm)
    Milestone.objects.filter(pk=milestone.pk).update(
        status=Milestone.Status.APPROVED, approved_at=timezone.now(), revision=1
    )
    deliverable = milestone.deliverables.get()
    url = reverse("milestones:upload", args=[deliverable.pk])
    assert client_for(pm).post(url, {"file": pdf("v2.pdf")}).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.status, milestone.approved_at) == ("in_progress", None)
    assert deliverable.versions.count() == 2
    reopened = Activity.objects.get(verb="milestone.reopened")
    assert "Clickable" in reopened.summary and "Approved" in reopened.summary


def test_milestone_without_signoff_is_completed_by_the_pm(pm: User, milestone: Milestone) -> None:
    Milestone.objects.filter(pk=milestone.pk).update(requires_signoff=False)
    response = client_for(pm).post(reverse("milestones:complete", args=[milestone.pk]))
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.APPROVED and milestone.approved_at


def test_phase_dates_are_edited_in_place(pm: User, project: Project) -> None:
    phase = project.phases.get(kind=Phase.Kind.PROTOTYPE)
    url = reverse("milestones:phase_edit", args=[phase.pk])
    data = {"planned_start": "2030-01-01", "planned_end": "2030-02-01"}
    http = client_for(pm)
    response = http.post(url, data, **HTMX)
    # The project page's plan listens for this event and fetches itself again.
    assert response.status_code == 204
    assert json.loads(response["HX-Trigger"]) == {"plan-changed": {}}
    plan = http.get(reverse("projects:detail", args=[project.pk]), **HTMX).content.decode()
    assert plan.lstrip().startswith('<div id="plan"')
    assert 'hx-trigger="plan-changed from:body"' in plan
    assert date_format(datetime.date(2030, 2, 1), "SHORT_DATE_FORMAT") in plan
    phase.refresh_from_db()
    assert str(phase.planned_end) == "2030-02-01"
    assert Activity.objects.filter(verb="phase.rescheduled").count() == 1


def test_phase_cannot_end_before_it_starts(pm: User, project: Project) -> None:
    phase = project.phases.first()
    url = reverse("milestones:phase_edit", args=[phase.pk])
    data = {"planned_start": "2030-03-01", "planned_end": "2030-02-01"}
    response = client_for(pm).post(url, data)
    assert response.status_code == 422
    assert "cannot end before it starts" in response.content.decode()


def test_team_member_cannot_change_phase_dates(member: User, project: Project) -> None:
    phase = project.phases.first()
    url = reverse("milestones:phase_edit", args=[phase.pk])
    data = {"planned_start": "2030-01-01", "planned_end": "2030-02-01"}
    assert client_for(member).post(url, data).status_code == 403
    phase.refresh_from_db()
    assert str(phase.planned_start) != "2030-01-01"
