"""No unbounded text reaches a column, a page or a PDF: free text is refused at its limit with a
message that keeps what was typed, text built from it is cut, and the database refuses the rest.
"""

import smtplib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, models, transaction
from django.db.models.functions import Length
from django.urls import reverse

from clientprogress.limits import ELLIPSIS, ERROR_TEXT, LONG_TEXT, MAIL_TEXT, SHORT_TEXT, fit
from milestones import services as plan
from milestones.models import AcceptanceCriterion, Deliverable, Milestone, Phase, SignOff
from notifications.models import AccountMail, Notification
from notifications.services import notify
from projects.models import Activity, Project, TaskCard, User
from projects.portal.services import feedback_create
from reports import services as reports
from reports.models import ReportDelivery, StatusReport
from tests.milestones.factories import MilestoneFactory
from tests.smtp import LONG_REFUSAL, Server, smtp_server
from tests.support import ProjectObjects, client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
# Each one counts as nothing to Truncator, and as one character to the database.
COMBINING = "\u0301"


@pytest.fixture
def long_milestone(project: Project) -> Milestone:
    return MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE), title="M" * 200)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_long_criterion_on_a_long_milestone_is_added_and_its_activity_line_cut(
    pm: User, long_milestone: Milestone, headers: dict
) -> None:
    url = reverse("milestones:criterion_add", args=[long_milestone.pk])
    response = client_for(pm).post(url, {"text": "C" * 300}, **headers)

    assert response.status_code == (200 if headers else 302)
    assert AcceptanceCriterion.objects.get(milestone=long_milestone).text == "C" * 300
    summary = Activity.objects.get(verb="criterion.created").summary
    assert len(summary) == Activity._meta.get_field("summary").max_length
    assert summary.startswith("Acceptance criterion “CCC") and summary.endswith(ELLIPSIS)


def test_ticking_off_that_criterion_is_recorded_too(pm: User, long_milestone: Milestone) -> None:
    criterion = plan.criterion_create(actor=pm, milestone=long_milestone, text="C" * 300)
    url = reverse("milestones:criterion_met", args=[criterion.pk])
    assert client_for(pm).post(url, {"met": "on"}).status_code == 302
    assert len(Activity.objects.get(verb="criterion.met").summary) == 500


def test_fit_counts_characters_as_the_column_does() -> None:
    assert fit("short", 10) == "short"
    assert fit("x" * 11, 10) == "x" * 9 + ELLIPSIS
    marks = "a" + COMBINING * 50
    assert len(fit(marks, 10)) == 10 and fit(marks, 10).endswith(ELLIPSIS)


def test_feedback_whose_first_line_is_only_accents_becomes_a_card(
    client_contact: User, project: Project
) -> None:
    text = "e" + COMBINING * 300
    name = "a" + COMBINING * 300 + ".txt"
    card = feedback_create(
        project=project,
        actor=client_contact,
        text=text,
        attachment=SimpleUploadedFile(name, b"notes"),
    )
    card.refresh_from_db()
    assert card.description == text
    assert len(card.title) == len("Feedback: ") + 80 and card.title.endswith(ELLIPSIS)
    assert len(card.attachment_name) <= 255


def test_notification_titles_and_texts_are_cut_to_their_columns(pm: User) -> None:
    notify(
        recipient_ids=[pm.pk],
        kind=Notification.Kind.FEEDBACK,
        title="T" + COMBINING * 400,
        text="x" * (LONG_TEXT + 10),
        dedupe_key="long",
    )
    row = Notification.objects.get(dedupe_key="long")
    assert len(row.title) == 200 and len(row.text) == LONG_TEXT
    assert row.text.endswith(ELLIPSIS)


def test_a_long_mail_server_refusal_is_recorded_cut(
    manager: User, project: Project, settings: object
) -> None:
    delivery = ReportDelivery.objects.create(
        recipient=manager, period="2026-W07", state=ReportDelivery.State.RENDERED
    )
    delivery.file.save("summary.pdf", ContentFile(b"%PDF-1.7 summary"), save=True)
    refusing = Server(refusal=LONG_REFUSAL)
    with smtp_server(settings, refusing), pytest.raises(smtplib.SMTPDataError):
        reports.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == ReportDelivery.State.RENDERED
    assert len(delivery.last_error) == ERROR_TEXT
    assert delivery.last_error.startswith("SMTPDataError: (554")


# Forms: (url name, object kind, field, limit, extra data, htmx?)
def _project_form(objects: ProjectObjects, field: str, text: str) -> dict:
    project = objects.project
    return {
        "client": project.client_id,
        "name": project.name,
        "code": project.code,
        "pm": project.pm_id,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "status": project.status,
        field: text,
    }


def _card_form(objects: ProjectObjects, field: str, text: str) -> dict:
    card = TaskCard.objects.get(pk=objects.ids["card_id"])
    data = {
        "title": card.title,
        "status": "blocked",
        "responsible": card.responsible,
        "blocked_reason": "Waiting",
        "version": card.version,
    }
    return data | {field: text}


FORMS = [
    ("projects:edit", "project_id", "description", LONG_TEXT, _project_form),
    ("projects:card", "card_id", "description", LONG_TEXT, _card_form),
    ("projects:card", "card_id", "blocked_reason", SHORT_TEXT, _card_form),
    (
        "projects:card_move",
        "card_id",
        "blocked_reason",
        SHORT_TEXT,
        lambda objects, field, text: {"version": 1, "status": "blocked", field: text},
    ),
    (
        "milestones:milestone_edit",
        "milestone_id",
        "description",
        LONG_TEXT,
        lambda objects, field, text: {"title": "Kept", "due_date": "2031-01-01", field: text},
    ),
    (
        "milestones:deliverable_add",
        "milestone_id",
        "description",
        LONG_TEXT,
        lambda objects, field, text: {"title": "Kept", field: text},
    ),
    (
        "milestones:criterion_add",
        "milestone_id",
        "text",
        AcceptanceCriterion._meta.get_field("text").max_length,
        lambda objects, field, text: {field: text},
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "field", "limit", "data"), FORMS, ids=[f"{f[0]}-{f[2]}" for f in FORMS]
)
def test_text_over_its_limit_is_refused_with_a_message_and_kept(
    pm: User,
    project_objects: ProjectObjects,
    name: str,
    kind: str,
    field: str,
    limit: int,
    data: object,
) -> None:
    typed = "Kept words " + "y" * limit
    before = {m: list(m.objects.values()) for m in (Project, TaskCard, Milestone, Deliverable)}
    url = reverse(name, args=[project_objects.ids[kind]])
    response = client_for(pm).post(url, data(project_objects, field, typed))

    assert response.status_code == 422
    html = response.content.decode()
    assert f"Ensure this value has at most {limit} characters (it has {len(typed)})." in html
    assert typed in html
    assert {m: list(m.objects.values()) for m in before} == before


def test_feedback_over_its_limit_is_refused_and_kept(
    client_contact: User, project: Project
) -> None:
    typed = "Kept words " + "y" * LONG_TEXT
    url = reverse("portal:feedback", args=[project.pk])
    response = client_for(client_contact).post(url, {"text": typed})
    assert response.status_code == 422
    assert "Ensure this value has at most 5000 characters" in response.content.decode()
    assert typed in response.content.decode()
    assert not TaskCard.objects.filter(source=TaskCard.Source.FEEDBACK).exists()


def test_a_service_refuses_a_description_over_its_limit(pm: User, project: Project) -> None:
    phase = project.phases.first()
    with pytest.raises(ValidationError) as refused:
        plan.milestone_create(
            actor=pm, phase=phase, title="Beta", due_date=project.end_date, description="d" * 5001
        )
    assert list(refused.value.message_dict) == ["description"]
    assert not Milestone.objects.exists()


# Every text column with a limit, and the limit the database holds it to.
LIMITED = [
    (Project, "description", LONG_TEXT),
    (TaskCard, "description", LONG_TEXT),
    (TaskCard, "blocked_reason", SHORT_TEXT),
    (Milestone, "description", LONG_TEXT),
    (Deliverable, "description", LONG_TEXT),
    (Notification, "text", LONG_TEXT),
    (Notification, "email_last_error", ERROR_TEXT),
    (SignOff, "comment", LONG_TEXT),
    (SignOff, "milestone_description", LONG_TEXT),
    (AccountMail, "subject", SHORT_TEXT),
    (AccountMail, "body", MAIL_TEXT),
    (AccountMail, "html", MAIL_TEXT),
    (AccountMail, "email_last_error", ERROR_TEXT),
    (StatusReport, "error", ERROR_TEXT),
    (ReportDelivery, "last_error", ERROR_TEXT),
]


@pytest.mark.parametrize(
    ("model", "field", "limit"), LIMITED, ids=[f"{m.__name__}.{f}" for m, f, _ in LIMITED]
)
def test_the_database_refuses_a_raw_write_over_the_limit(
    project_objects: ProjectObjects, manager: User, model: type, field: str, limit: int
) -> None:
    ReportDelivery.objects.create(recipient=manager, period="2026-W07")
    AccountMail.objects.create(kind="invitation", to=manager.email, subject="Welcome", body="Hi")
    rows = model.objects.all()
    assert rows.exists()
    rows.update(**{field: "z" * limit})  # at the limit: stored
    with pytest.raises(IntegrityError), transaction.atomic():
        rows.update(**{field: "z" * (limit + 1)})
    assert not rows.annotate(chars=Length(field)).filter(chars__gt=limit).exists()


def test_every_text_field_has_a_limit_in_forms_models_and_the_database() -> None:
    ours = ("projects", "milestones", "notifications", "reports")
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in ours:
            continue
        for field in model._meta.get_fields():
            if not isinstance(field, models.TextField):
                continue
            found.add((model, field.name, field.max_length))
            assert any(
                getattr(v, "limit_value", None) == field.max_length for v in field.validators
            )
            assert field.formfield().max_length == field.max_length
    assert found == set(LIMITED)


def test_an_invitation_over_the_limits_is_refused_and_kept(pm: User, project: Project) -> None:
    email = "a" * 250 + "@acme.example"
    url = reverse("invitation_send", args=[project.pk])
    response = client_for(pm).post(url, {"full_name": "Kept Name", "email": email})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Ensure this value has at most 254 characters" in html
    assert 'value="Kept Name"' in html
    assert not User.objects.filter(email=email).exists()
