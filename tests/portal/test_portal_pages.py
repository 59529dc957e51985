import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone, Phase
from milestones.services import milestone_submit, milestone_update
from notifications.models import Notification
from projects.models import Activity, Project, TaskCard, User
from tests.milestones.factories import CriterionFactory, MilestoneFactory
from tests.portal.support import awaiting_milestone, decide
from tests.projects.factories import CardFactory, ProjectFactory
from tests.support import ProjectObjects, client_for
from tests.urlwalk import is_portal, routes

MARKER = "INTERNAL-ONLY-7731"


def owed_card(project: Project, **fields: object) -> TaskCard:
    fields = {
        "responsible": "client",
        "client_visible": True,
        "title": "Send brand assets",
    } | fields
    return CardFactory(project=project, **fields)


def test_home_lists_only_the_contacts_own_organisation(client_contact, project) -> None:
    ProjectFactory(name="Someone else's project")
    response = client_for(client_contact).get(reverse("portal:home"))
    names = [row.name for row in response.context["projects"]]
    assert names == ["Portal relaunch"]
    assert "Someone else" not in response.content.decode()


def test_home_counts_only_the_owed_items_the_client_can_see(client_contact, project) -> None:
    owed_card(project)
    owed_card(project, client_visible=False)
    owed_card(project, status="done")
    MilestoneFactory(phase=project.phases.first(), status="awaiting_signoff", revision=1)
    response = client_for(client_contact).get(reverse("portal:home"))
    content = response.content.decode()
    assert "1 item waiting on you" in content
    assert "1 milestone awaiting your sign-off" in content


def test_project_page_lists_what_the_client_owes_with_days_late(client_contact, project) -> None:
    with time_machine.travel(datetime.datetime(2026, 3, 10, 12, tzinfo=datetime.UTC)):
        today = datetime.date(2026, 3, 10)
        owed_card(project, title="Provide test accounts", due_date=today - datetime.timedelta(3))
        owed_card(project, title="Approve copy", due_date=today + datetime.timedelta(2))
        response = client_for(client_contact).get(reverse("portal:project", args=[project.pk]))
    waiting = response.context["page"].waiting
    assert [(item.card.title, item.days_late) for item in waiting] == [
        ("Provide test accounts", 3),
        ("Approve copy", 0),
    ]
    assert "3 days late" in response.content.decode()


def test_days_late_follow_the_clients_time_zone(client_contact, project) -> None:
    project.client.time_zone = "Pacific/Auckland"
    project.client.save()
    # 11:30 UTC on the 9th is already the 10th in Auckland.
    with time_machine.travel(datetime.datetime(2026, 3, 9, 11, 30, tzinfo=datetime.UTC)):
        owed_card(project, due_date=datetime.date(2026, 3, 9))
        response = client_for(client_contact).get(reverse("portal:project", args=[project.pk]))
    assert response.context["page"].waiting[0].days_late == 1


def test_marking_an_owed_item_done_tells_the_pm(client_contact, project, pm) -> None:
    card = owed_card(project)
    response = client_for(client_contact).post(reverse("portal:card_done", args=[card.pk]))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == "done" and card.completed_at is not None
    assert card.version == 2
    notice = Notification.objects.get(recipient=pm)
    assert notice.kind == Notification.Kind.CLIENT_ITEM_DONE
    assert Activity.objects.filter(verb="card.client_done", client_visible=True).exists()


def test_marking_done_twice_changes_nothing_the_second_time(client_contact, project) -> None:
    card = owed_card(project)
    http = client_for(client_contact)
    http.post(reverse("portal:card_done", args=[card.pk]))
    response = http.post(reverse("portal:card_done", args=[card.pk]), follow=True)
    assert "was marked done already" in response.content.decode()
    card.refresh_from_db()
    assert card.version == 2
    assert Notification.objects.count() == 1


def test_marking_done_over_htmx_returns_the_waiting_list_only(client_contact, project) -> None:
    card = owed_card(project)
    other = owed_card(project, title="Approve the copy")
    response = client_for(client_contact).post(
        reverse("portal:card_done", args=[card.pk]), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="waiting"')
    assert other.title in content and "Send brand assets” is done" in content
    assert "<html" not in content


@pytest.mark.parametrize(
    "fields",
    [{"responsible": "team"}, {"client_visible": False}],
    ids=["a team card", "an internal card"],
)
def test_a_client_cannot_mark_any_other_card_done(client_contact, project, fields) -> None:
    card = owed_card(project, **fields)
    response = client_for(client_contact).post(reverse("portal:card_done", args=[card.pk]))
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.status == "todo" and card.version == 1


def test_another_clients_contact_cannot_mark_an_item_done(other_client_contact, project) -> None:
    card = owed_card(project)
    response = client_for(other_client_contact).post(reverse("portal:card_done", args=[card.pk]))
    assert response.status_code == 404
    card.refresh_from_db()
    assert card.status == "todo"


def test_feedback_becomes_a_card_at_the_bottom_of_the_pms_todo(client_contact, project, pm):
    CardFactory(project=project, status="todo", position=0)
    milestone = MilestoneFactory(phase=project.phases.first())
    upload = SimpleUploadedFile("screen.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    response = client_for(client_contact).post(
        reverse("portal:feedback", args=[project.pk]),
        {
            "text": "The logo is blurry\non retina screens.",
            "milestone": milestone.pk,
            "attachment": upload,
        },
    )
    assert response.status_code == 302
    card = TaskCard.objects.get(source=TaskCard.Source.FEEDBACK)
    assert card.title == "Feedback: The logo is blurry"
    assert card.description == "The logo is blurry\non retina screens."
    assert (card.status, card.position, card.assignee) == ("todo", 1, pm)
    assert (card.created_by, card.milestone, card.client_visible) == (
        client_contact,
        milestone,
        True,
    )
    assert card.attachment_name == "screen.png"
    assert card.attachment.read() == b"\x89PNG\r\n\x1a\n...."
    assert Notification.objects.get(recipient=pm).kind == Notification.Kind.FEEDBACK


def test_the_contact_sees_their_feedback_and_its_status(client_contact, project) -> None:
    http = client_for(client_contact)
    http.post(reverse("portal:feedback", args=[project.pk]), {"text": "Add dark mode"})
    TaskCard.objects.filter(source="feedback").update(status="in_progress")
    content = http.get(reverse("portal:project", args=[project.pk])).content.decode()
    assert "Feedback: Add dark mode" in content
    section = content[content.index('id="feedback"') :]
    assert "In progress" in section


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("tool.exe", b"MZ....", "is not an accepted file"),
        ("report.pdf", b"MZ not a pdf", "is not an accepted file"),
    ],
)
def test_a_bad_attachment_is_refused_and_the_text_kept(
    client_contact, project, name, content, error
):
    response = client_for(client_contact).post(
        reverse("portal:feedback", args=[project.pk]),
        {"text": "Please look at this", "attachment": SimpleUploadedFile(name, content)},
    )
    assert response.status_code == 422
    assert error in response.content.decode()
    assert "Please look at this" in response.content.decode()
    assert not TaskCard.objects.filter(source="feedback").exists()


def test_an_oversized_attachment_is_refused(client_contact, project, settings) -> None:
    settings.PORTAL_ATTACHMENT_MAX_MB = 1
    big = SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1))
    response = client_for(client_contact).post(
        reverse("portal:feedback", args=[project.pk]), {"text": "x", "attachment": big}
    )
    assert "files can be at most 1.0" in response.content.decode()
    assert not TaskCard.objects.filter(source="feedback").exists()


def test_feedback_over_htmx_returns_the_feedback_section(client_contact, project) -> None:
    response = client_for(client_contact).post(
        reverse("portal:feedback", args=[project.pk]), {"text": "Hi"}, HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<section id="feedback"')
    assert "Feedback: Hi" in content and "your feedback is with the team" in content


def test_deliverables_download_as_attachments_that_are_never_sniffed(client_contact, awaiting):
    version = awaiting.deliverables.get(title="Notes").versions.get()
    response = client_for(client_contact).get(reverse("portal:version_download", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="notes.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 release notes, first cut"


def test_a_replaced_file_is_not_covered_by_the_earlier_sign_off(client_contact, awaiting, pm):
    signoff = decide(awaiting, client_contact)
    deliverable = awaiting.deliverables.get(title="Notes")
    old = deliverable.versions.get()
    new = deliverable.versions.create(
        number=2,
        file=old.file.name,
        original_name="notes.pdf",
        content_type="application/pdf",
        size=3,
        sha256="a" * 64,
        uploaded_by=pm,
    )
    response = client_for(client_contact).get(
        reverse("portal:project", args=[awaiting.phase.project_id])
    )
    row = next(r for r in response.context["page"].milestones if r.milestone == awaiting)
    coverage = {item.deliverable.title: (item.current, item.signed_in) for item in row.deliverables}
    assert coverage["Notes"] == (new, None)
    assert coverage["Build"][1] == signoff
    covered = {entry["version_id"]: entry["sha256"] for entry in signoff.manifest}
    assert covered[old.pk] == old.sha256 and new.pk not in covered


def signed_files(http: object, milestone: Milestone) -> dict[str, object]:
    """The portal's "signed off" column for the milestone's files."""
    response = http.get(reverse("portal:project", args=[milestone.phase.project_id]))
    row = next(r for r in response.context["page"].milestones if r.milestone == milestone)
    return {item.deliverable.title: item.signed_in for item in row.deliverables}


def test_after_changes_are_requested_no_file_shows_as_signed(client_contact, awaiting) -> None:
    decide(awaiting, client_contact, "changes_requested", "The export button is missing.")
    http = client_for(client_contact)
    assert signed_files(http, awaiting) == {"Build": None, "Notes": None}
    page = http.get(reverse("portal:project", args=[awaiting.phase.project_id]))
    assert "Yes, on" not in page.content.decode()


def test_changes_requested_on_a_later_round_unsign_the_files_an_earlier_one_approved(
    client_contact, awaiting, pm
) -> None:
    approval = decide(awaiting, client_contact)
    http = client_for(client_contact)
    assert signed_files(http, awaiting) == {"Build": approval, "Notes": approval}
    # Reopened without a new file, resubmitted: the same files are in round 2.
    milestone_update(actor=pm, milestone=awaiting, changes={"title": "Beta release, final"})
    milestone_submit(actor=pm, milestone=awaiting)
    awaiting.refresh_from_db()
    decide(awaiting, client_contact, "changes_requested", "Not with this title.")
    assert signed_files(http, awaiting) == {"Build": None, "Notes": None}


def test_the_project_page_shows_who_signed_what_when(client_contact, awaiting) -> None:
    signoff = decide(awaiting, client_contact, typed_name="ALICE  acme")
    content = (
        client_for(client_contact)
        .get(reverse("portal:project", args=[awaiting.phase.project_id]))
        .content.decode()
    )
    assert "ALICE  acme" in content  # the name as typed: that is the signature
    assert reverse("milestones:signoff_certificate", args=[signoff.pk]) in content


@pytest.fixture
def internal_data(project_objects: ProjectObjects, pm: User) -> Project:
    """Everything internal a project has, each carrying the marker."""
    project = project_objects.project
    project.description = f"{MARKER} project notes"
    project.save()
    CardFactory(project=project, title=f"{MARKER} card", description=f"{MARKER} details")
    owed_card(project, title=f"{MARKER} hidden ask", client_visible=False)
    CardFactory(
        project=project, client_visible=True, status="blocked", blocked_reason=f"{MARKER} why"
    )
    CriterionFactory(milestone=awaiting_milestone(project, pm), text=f"{MARKER} criterion")
    Activity.objects.create(project=project, actor=pm, verb="note", summary=f"{MARKER} activity")
    return project


def test_internal_data_never_appears_on_any_portal_page(client_contact, internal_data) -> None:
    http = client_for(client_contact)
    ids = {
        "project_id": internal_data.pk,
        "milestone_id": internal_data.phases.get(kind=Phase.Kind.DEV_TEST).milestones.get().pk,
    }
    pages = [r for r in routes() if is_portal(r) and r.kwargs <= ids.keys()]
    assert len(pages) >= 3
    for route in pages:
        for htmx in ({}, {"HTTP_HX_REQUEST": "true"}):
            url = reverse(route.name, kwargs={name: ids[name] for name in route.kwargs})
            response = http.get(url, **htmx)
            assert response.status_code in (200, 302), route.name
            assert MARKER not in response.content.decode(), route.name


def _fill(project: Project, pm: User, contact: User, size: int) -> None:
    for n in range(size):
        owed_card(project, title=f"Owed {n}", due_date=timezone.localdate())
        CardFactory(project=project, client_visible=True, title=f"Visible {n}")
        CardFactory(project=project, source="feedback", client_visible=True, created_by=contact)
    for n in range(max(size // 5, 1)):
        decide(awaiting_milestone(project, pm, f"Milestone {n}"), contact)


@pytest.mark.parametrize("size", [2, 40])
def test_the_portal_pages_take_a_fixed_number_of_queries(
    client_contact, project, pm, size, django_assert_max_num_queries
) -> None:
    _fill(project, pm, client_contact, size)
    http = client_for(client_contact)
    milestone = project.phases.get(kind=Phase.Kind.DEV_TEST).milestones.first()
    for url in (
        reverse("portal:home"),
        reverse("portal:project", args=[project.pk]),
        reverse("portal:signoff", args=[milestone.pk]),
    ):
        with django_assert_max_num_queries(20):
            assert http.get(url).status_code == 200
