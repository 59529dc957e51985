"""A submitted or approved milestone is evidence: changing what it says, its acceptance criteria
or its deliverables reopens it for a new submission and a new sign-off."""

import datetime
from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from milestones import services
from milestones.models import Milestone, SignOff
from projects.models import Activity, Project, User
from tests.milestones.factories import CriterionFactory
from tests.portal.support import awaiting_milestone, decide
from tests.projects.factories import UserFactory
from tests.support import client_for

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("notes-v2.pdf", PDF, content_type="application/pdf")


CHANGES: dict[str, Callable[[User, Milestone], object]] = {
    "title": lambda pm, m: services.milestone_update(
        actor=pm, milestone=m, changes={"title": "Beta release, final"}
    ),
    "description": lambda pm, m: services.milestone_update(
        actor=pm, milestone=m, changes={"description": "Now with search."}
    ),
    "due date": lambda pm, m: services.milestone_update(
        actor=pm, milestone=m, changes={"due_date": m.due_date + datetime.timedelta(days=7)}
    ),
    "new criterion": lambda pm, m: services.criterion_create(
        actor=pm, milestone=m, text="Works offline"
    ),
    "criterion no longer met": lambda pm, m: services.criterion_set_met(
        actor=pm, criterion=m.criteria.get(), met=False
    ),
    "new deliverable": lambda pm, m: services.deliverable_create(
        actor=pm, milestone=m, title="Manual"
    ),
    "new file": lambda pm, m: services.version_upload(
        actor=pm, deliverable=m.deliverables.get(title="Notes"), upload=_upload()
    ),
}


@pytest.fixture
def signed(project: Project, pm: User, client_contact: User) -> Milestone:
    """Approved in round 1, with one met criterion."""
    milestone = awaiting_milestone(project, pm)
    CriterionFactory(milestone=milestone, text="Coverage at least 90 %", met_at=timezone.now())
    decide(milestone, client_contact)
    milestone.refresh_from_db()
    return milestone


@pytest.fixture(params=["approved", "awaiting_signoff"])
def under_signature(request: pytest.FixtureRequest, project: Project, pm: User) -> Milestone:
    if request.param == "approved":
        return request.getfixturevalue("signed")
    milestone = awaiting_milestone(project, pm)
    CriterionFactory(milestone=milestone, text="Coverage at least 90 %", met_at=timezone.now())
    return milestone


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_to_what_was_signed_reopens_the_milestone(
    pm: User, under_signature: Milestone, change: str
) -> None:
    was = under_signature.get_status_display()
    CHANGES[change](pm, under_signature)
    under_signature.refresh_from_db()
    assert (under_signature.status, under_signature.approved_at) == ("in_progress", None)
    assert under_signature.revision == 1  # the next submission opens round 2
    reopened = Activity.objects.get(verb="milestone.reopened")
    assert reopened.client_visible and f"(was {was})" in reopened.summary


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_the_sign_off_already_recorded_stays_valid_for_what_it_covered(
    pm: User, signed: Milestone, change: str
) -> None:
    before = SignOff.objects.get()
    CHANGES[change](pm, signed)
    after = SignOff.objects.get()
    assert (after.milestone_title, after.manifest) == (before.milestone_title, before.manifest)
    call_command("verify_signoffs")


def test_a_change_that_is_refused_leaves_the_milestone_signed(pm: User, signed: Milestone) -> None:
    with pytest.raises(ValidationError):
        services.milestone_update(actor=pm, milestone=signed, changes={"title": ""})
    signed.refresh_from_db()
    assert signed.status == Milestone.Status.APPROVED and signed.title == "Beta release"
    assert not Activity.objects.filter(verb="milestone.reopened").exists()


def test_whether_it_needs_a_sign_off_is_not_part_of_what_was_signed(
    pm: User, signed: Milestone
) -> None:
    services.milestone_update(actor=pm, milestone=signed, changes={"requires_signoff": False})
    signed.refresh_from_db()
    assert signed.status == Milestone.Status.APPROVED


def test_a_milestone_in_progress_is_edited_without_a_reopening(pm: User, project: Project) -> None:
    milestone = awaiting_milestone(project, pm)
    Milestone.objects.filter(pk=milestone.pk).update(status=Milestone.Status.IN_PROGRESS)
    for change in CHANGES.values():
        if change is not CHANGES["criterion no longer met"]:
            change(pm, milestone)
    milestone.refresh_from_db()
    assert milestone.status == Milestone.Status.IN_PROGRESS
    assert not Activity.objects.filter(verb="milestone.reopened").exists()


def test_the_client_reads_that_the_criteria_changed_but_never_what_they_say(
    pm: User, signed: Milestone, client_contact: User
) -> None:
    services.criterion_create(actor=pm, milestone=signed, text="INTERNAL-7731 load test")
    response = client_for(client_contact).get(
        reverse("portal:project", args=[signed.phase.project_id])
    )
    html = response.content.decode()
    assert "reopened (was Approved): its acceptance criteria changed" in html
    assert "INTERNAL-7731" not in html


def test_a_reopened_milestone_is_submitted_and_signed_again_in_a_new_round(
    pm: User, signed: Milestone, client_contact: User
) -> None:
    CHANGES["title"](pm, signed)
    services.milestone_submit(actor=pm, milestone=signed)
    signed.refresh_from_db()
    second = decide(signed, client_contact)
    assert (second.revision, second.milestone_title) == (2, "Beta release, final")
    assert list(SignOff.objects.values_list("milestone_title", flat=True)) == [
        "Beta release",
        "Beta release, final",
    ]
    call_command("verify_signoffs")


def test_the_edit_form_warns_that_saving_reopens_a_signed_milestone(
    pm: User, signed: Milestone
) -> None:
    http = client_for(pm)
    html = http.get(reverse("milestones:milestone_edit", args=[signed.pk])).content.decode()
    assert "This milestone is approved. Saving a new title, description or due date reopens it" in (
        html
    )
    data = {"title": "Beta release, final", "due_date": signed.due_date.isoformat()}
    data["requires_signoff"] = "on"
    assert (
        http.post(reverse("milestones:milestone_edit", args=[signed.pk]), data).status_code == 302
    )
    signed.refresh_from_db()
    assert signed.status == Milestone.Status.IN_PROGRESS
    html = http.get(reverse("milestones:milestone_edit", args=[signed.pk])).content.decode()
    assert "reopens it" not in html


def test_the_milestone_page_warns_its_planner(pm: User, member: User, signed: Milestone) -> None:
    url = reverse("milestones:milestone", args=[signed.pk])
    assert "reopens it" in client_for(pm).get(url).content.decode()
    assert "reopens it" not in client_for(member).get(url).content.decode()


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(is_staff=True, is_superuser=True, role=User.Role.MANAGER)


def test_the_admin_cannot_change_what_was_signed(operator: User, signed: Milestone) -> None:
    http = client_for(operator)
    milestone_page = reverse("admin:milestones_milestone_change", args=[signed.pk])
    html = http.get(milestone_page).content.decode()
    assert 'name="title"' not in html and 'name="criteria-0-text"' not in html
    deliverable = signed.deliverables.get(title="Notes")
    html = http.get(
        reverse("admin:milestones_deliverable_change", args=[deliverable.pk])
    ).content.decode()
    assert 'name="title"' not in html
    criterion = signed.criteria.get()
    html = http.get(
        reverse("admin:milestones_acceptancecriterion_change", args=[criterion.pk])
    ).content.decode()
    assert 'name="text"' not in html
    add = http.get(reverse("admin:milestones_acceptancecriterion_add")).context["adminform"]
    assert signed not in add.form.fields["milestone"].queryset


def test_the_admin_still_changes_a_milestone_in_progress(operator: User, signed: Milestone) -> None:
    Milestone.objects.filter(pk=signed.pk).update(
        status=Milestone.Status.IN_PROGRESS, approved_at=None
    )
    url = reverse("admin:milestones_milestone_change", args=[signed.pk])
    assert 'name="title"' in client_for(operator).get(url).content.decode()
