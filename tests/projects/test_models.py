import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from milestones.models import Milestone, Phase, SignOff
from projects.models import Activity, Project, TaskCard
from tests.milestones.factories import MilestoneFactory, SignOffFactory
from tests.projects.factories import CardFactory, ProjectFactory


def test_new_project_gets_four_phases_in_order_within_its_dates(db: None) -> None:
    project = ProjectFactory()
    phases = list(project.phases.order_by("order"))
    assert [phase.kind for phase in phases] == list(Phase.Kind.values)
    assert phases[0].planned_start == project.start_date
    assert phases[-1].planned_end == project.end_date
    for earlier, later in itertools.pairwise(phases):
        assert earlier.planned_end < later.planned_start
    assert Activity.objects.filter(project=project, verb="project.created").count() == 1


def test_a_project_cannot_have_a_phase_kind_twice(db: None) -> None:
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(project=project, kind=Phase.Kind.PROTOTYPE, order=2)


def test_a_phase_kind_must_stand_in_its_place(db: None) -> None:
    project = ProjectFactory()
    project.phases.all().delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Phase.objects.create(project=project, kind=Phase.Kind.ACCEPTANCE, order=1)


def test_project_end_cannot_precede_start(db: None) -> None:
    project = ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(
            end_date=project.start_date - datetime.timedelta(days=1)
        )


def test_blocked_card_needs_a_reason(db: None) -> None:
    card = CardFactory()
    card.status = TaskCard.Status.BLOCKED
    with pytest.raises(ValidationError):
        card.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        card.save()


def test_card_status_outside_the_columns_is_refused(db: None) -> None:
    card = CardFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        TaskCard.objects.filter(pk=card.pk).update(status="archived")


def test_signoff_decision_values_and_comment_rule(db: None) -> None:
    signoff = SignOffFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.filter(pk=signoff.pk).update(decision="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.filter(pk=signoff.pk).update(decision="changes_requested", comment="")


def test_only_one_decision_per_submission_round(db: None) -> None:
    first = SignOffFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOffFactory(milestone=first.milestone, revision=first.revision)


def test_approved_milestone_records_when(db: None) -> None:
    milestone = MilestoneFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(status="approved")
