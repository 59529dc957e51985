"""Dates stay in 2000 to 2100: forms say so, services and models refuse the rest, the database holds
the line, and the date arithmetic of reports, the timeline and the checks never overflows, even
with a date stored before the checks existed."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from clientprogress.limits import FIRST_DAY, LAST_DAY, validate_day
from milestones import services as plan
from milestones.models import Milestone, Phase
from milestones.selectors import project_phases, project_timeline
from notifications.models import Notification
from notifications.overdue import overdue_check
from projects.models import Project, TaskCard, User
from reports import rendering
from reports.models import StatusReport
from reports.periods import Week
from reports.selectors import report_data
from tests.milestones.factories import MilestoneFactory
from tests.past_checks import update_past_checks
from tests.projects.factories import CardFactory, ContactFactory, ProjectFactory
from tests.support import ProjectObjects, client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
FAR = "9999-12-31"
Kind = Notification.Kind


def out_of_range_message() -> str:
    first, last = (date_format(day, "SHORT_DATE_FORMAT") for day in (FIRST_DAY, LAST_DAY))
    return f"Enter a date from {first} to {last}."


def _project_form(objects: ProjectObjects, field: str, value: str) -> dict:
    project = objects.project
    data = {
        "client": project.client_id,
        "name": project.name,
        "code": project.code,
        "pm": project.pm_id,
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
        "status": project.status,
    }
    return data | {field: value}


def _card_form(objects: ProjectObjects, field: str, value: str) -> dict:
    card = TaskCard.objects.get(pk=objects.ids["card_id"])
    return {"title": card.title, "status": card.status, "responsible": "team", "version": 1} | {
        field: value
    }


FORMS = [
    ("projects:edit", "project_id", "end_date", FAR, _project_form, {}),
    ("projects:edit", "project_id", "start_date", "1999-12-31", _project_form, {}),
    ("projects:card", "card_id", "due_date", FAR, _card_form, {}),
    ("projects:card", "card_id", "due_date", FAR, _card_form, HTMX),
    (
        "projects:card_due",
        "card_id",
        "due_date",
        FAR,
        lambda objects, field, value: {"version": 1, field: value},
        {},
    ),
    (
        "projects:card_due",
        "card_id",
        "due_date",
        "2101-01-01",
        lambda objects, field, value: {"version": 1, field: value},
        HTMX,
    ),
    (
        "milestones:phase_edit",
        "phase_id",
        "planned_end",
        FAR,
        lambda objects, field, value: {"planned_start": "2030-01-01", field: value},
        HTMX,
    ),
    (
        "milestones:milestone_add",
        "phase_id",
        "due_date",
        FAR,
        lambda objects, field, value: {"title": "Kept title", field: value},
        {},
    ),
    (
        "milestones:milestone_edit",
        "milestone_id",
        "due_date",
        "1999-12-31",
        lambda objects, field, value: {"title": "Kept title", field: value},
        {},
    ),
]


@pytest.mark.parametrize(
    ("name", "kind", "field", "value", "data", "headers"),
    FORMS,
    ids=[f"{f[0]}-{f[2]}-{f[3]}{'-htmx' if f[5] else ''}" for f in FORMS],
)
def test_a_date_out_of_range_is_refused_with_a_clear_message(
    pm: User,
    project_objects: ProjectObjects,
    name: str,
    kind: str,
    field: str,
    value: str,
    data: object,
    headers: dict,
) -> None:
    before = {m: list(m.objects.values()) for m in (Project, TaskCard, Phase, Milestone)}
    url = reverse(name, args=[project_objects.ids[kind]])
    response = client_for(pm).post(url, data(project_objects, field, value), **headers)

    assert response.status_code == 422
    html = response.content.decode()
    assert out_of_range_message() in html
    assert f'value="{value}"' in html  # what was typed is still there to correct
    assert {m: list(m.objects.values()) for m in before} == before


def test_a_project_out_of_range_is_not_created(pm: User, project: Project) -> None:
    data = {
        "client": project.client_id,
        "name": "Far away",
        "code": "far-away",
        "pm": pm.pk,
        "start_date": "2030-01-01",
        "end_date": FAR,
        "status": "active",
    }
    response = client_for(pm).post(reverse("projects:create"), data)
    assert response.status_code == 422
    assert out_of_range_message() in response.content.decode()
    assert 'value="Far away"' in response.content.decode()
    assert not Project.objects.filter(code="far-away").exists()


def test_date_pickers_offer_only_the_days_in_range(pm: User, project: Project) -> None:
    html = client_for(pm).get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert 'min="2000-01-01"' in html and 'max="2100-12-31"' in html


def test_services_refuse_dates_out_of_range(pm: User, project: Project) -> None:
    phase = project.phases.first()
    with pytest.raises(ValidationError) as refused:
        plan.milestone_create(
            actor=pm, phase=phase, title="Far", due_date=datetime.date(9999, 12, 31)
        )
    assert refused.value.messages == [out_of_range_message()]
    with pytest.raises(ValidationError):
        plan.project_create(
            actor=pm,
            client=project.client,
            name="Old",
            code="old",
            pm=pm,
            start_date=datetime.date(1999, 1, 1),
            end_date=datetime.date(2030, 1, 1),
        )
    assert not Milestone.objects.exists() and not Project.objects.filter(code="old").exists()


def test_the_first_and_last_days_are_accepted() -> None:
    validate_day(FIRST_DAY)
    validate_day(LAST_DAY)
    for day in (FIRST_DAY - datetime.timedelta(days=1), LAST_DAY + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError):
            validate_day(day)


DATED = [
    (Project, "start_date"),
    (Project, "end_date"),
    (TaskCard, "due_date"),
    (Phase, "planned_start"),
    (Phase, "planned_end"),
    (Milestone, "due_date"),
    (StatusReport, "period_start"),
]


@pytest.mark.parametrize(("model", "field"), DATED, ids=[f"{m.__name__}.{f}" for m, f in DATED])
def test_the_database_refuses_a_raw_date_out_of_range(
    project_objects: ProjectObjects, model: type, field: str
) -> None:
    rows = model.objects.all()
    assert rows.exists()
    # Project dates keep their order, whichever of the two is written.
    for day in (datetime.date(1999, 12, 31), datetime.date(2101, 1, 1)):
        values = {field: day}
        if model is Project:
            values = {"start_date": day, "end_date": day}
        if model is Phase:
            values = {"planned_start": day, "planned_end": day}
        with pytest.raises(IntegrityError), transaction.atomic():
            rows.update(**values)


def test_every_date_field_is_held_to_the_range() -> None:
    ours = ("projects", "milestones", "notifications", "reports")
    found = set()
    for model in apps.get_models():
        if model._meta.app_label not in ours or model.__name__ == "SignOff":
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                found.add((model, field.name))
                assert validate_day in field.validators
    assert found == set(DATED)


@pytest.mark.parametrize("label", ["9999-W52", "1999-W10", "2101-W01"])
def test_weeks_outside_the_range_are_refused(db: None, label: str) -> None:
    with pytest.raises(ValueError, match="Weeks from 2000 to 2100 only"):
        Week.parse(label)
    with pytest.raises(CommandError, match="Weeks from 2000 to 2100 only"):
        call_command("send_weekly_reports", "--week", label)
    assert Week.parse("2100-W52").shifted(1).first_day.year == 2101


@pytest.fixture
def century(pm: User) -> Project:
    """A project over the whole range, with milestones and cards on its first and last days."""
    project = ProjectFactory(pm=pm, start_date=FIRST_DAY, end_date=LAST_DAY)
    first, last = project.phases.get(order=1), project.phases.get(order=4)
    MilestoneFactory(phase=first, title="Kick-off", due_date=FIRST_DAY)
    MilestoneFactory(phase=last, title="Hand-over", due_date=LAST_DAY)
    CardFactory(project=project, title="First", due_date=FIRST_DAY)
    CardFactory(project=project, title="Last", due_date=LAST_DAY, responsible="client")
    return project


@pytest.mark.parametrize("today", [FIRST_DAY, datetime.date(2026, 2, 18), LAST_DAY])
def test_the_timeline_spans_the_whole_range(century: Project, today: datetime.date) -> None:
    timeline = project_timeline(
        project=century, phases=project_phases(project=century), today=today
    )
    assert (timeline.start, timeline.end) == (FIRST_DAY, LAST_DAY)
    xs = [mark.x for mark in timeline.marks]
    assert xs == [timeline.label_width, timeline.width - 16]
    assert timeline.today_x is not None


def test_pages_and_reports_of_a_project_over_the_whole_range(century: Project, pm: User) -> None:
    ContactFactory(client=century.client)
    assert client_for(pm).get(reverse("projects:detail", args=[century.pk])).status_code == 200
    assert client_for(pm).get(reverse("projects:board", args=[century.pk])).status_code == 200
    for week in (Week.containing(FIRST_DAY), Week.parse("2100-W52")):
        data = report_data(
            project_id=century.pk, week=week, audience="internal", now=timezone.now()
        )
        assert "Hand-over" in rendering.report_html(data)


@pytest.mark.parametrize(
    ("moment", "title", "kinds"),
    [
        ("2000-01-05T12:00", "Kick-off", {Kind.OVERDUE, Kind.ESCALATION}),
        ("2100-12-30T12:00", "Hand-over", {Kind.DUE_SOON}),
        ("2101-01-04T12:00", "Hand-over", {Kind.OVERDUE, Kind.ESCALATION}),
    ],
)
def test_the_overdue_check_on_the_first_and_last_days(
    century: Project, manager: User, moment: str, title: str, kinds: set
) -> None:
    with time_machine.travel(datetime.datetime.fromisoformat(moment + "+00:00"), tick=False):
        overdue_check(now=timezone.now())
        found = list(Notification.objects.filter(title=title))
        assert {n.kind for n in found} == kinds
        assert all(n.details() for n in found)


def test_a_far_date_stored_before_the_checks_breaks_no_report_page_or_check(
    project: Project, pm: User, manager: User
) -> None:
    card = CardFactory(project=project, title="Someday", due_date=datetime.date(2030, 1, 1))
    milestone = MilestoneFactory(phase=project.phases.first(), title="Never")
    update_past_checks(
        TaskCard.objects.filter(pk=card.pk),
        constraints=["card_due_date_in_range"],
        due_date=datetime.date.max,
    )
    update_past_checks(
        Milestone.objects.filter(pk=milestone.pk),
        constraints=["milestone_due_date_in_range"],
        due_date=datetime.date.max,
    )
    week = Week.current(time_zone=project.client.time_zone)
    data = report_data(project_id=project.pk, week=week, audience="internal", now=timezone.now())
    assert data.cards_total == 1  # the card is in the report, neither late nor due soon
    assert "Someday" not in [line.title for line in data.overdue.lines]
    assert data.days_lost_team == 0
    assert rendering.report_pdf(data).startswith(b"%PDF")
    assert client_for(pm).get(reverse("projects:detail", args=[project.pk])).status_code == 200
    overdue_check(now=timezone.now())
    assert not Notification.objects.filter(title__in=["Someday", "Never"]).exists()
