"""Acceptance criteria and deliverables without files are deleted from the milestone page, with
a confirmation first and an undo for a few seconds after; the client's decisions show there."""

import datetime
import html as markup
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from clientprogress.celery import app
from milestones.models import AcceptanceCriterion, Deliverable, Milestone, Phase, SignOff
from milestones.selectors import submission_blockers
from milestones.services import deleted_purge
from milestones.tasks import purge_deleted
from projects.models import Activity, Project, User
from tests.milestones.factories import (
    CriterionFactory,
    DeliverableFactory,
    MilestoneFactory,
    VersionFactory,
)
from tests.portal.support import awaiting_milestone, decide
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}
T0 = datetime.datetime(2031, 5, 6, 10, tzinfo=datetime.UTC)


@pytest.fixture
def milestone(project: Project) -> Milestone:
    return MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE), title="Clickable")


def undo_button(html: str, action: str) -> bool:
    return bool(re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>', html))


def test_deleting_a_criterion_asks_first_and_can_be_undone_without_javascript(
    pm: User, milestone: Milestone
) -> None:
    criterion = CriterionFactory(milestone=milestone, text="Coverage ≥ 90 %")
    http = client_for(pm)
    delete = reverse("milestones:criterion_delete", args=[criterion.pk])
    restore = reverse("milestones:criterion_restore", args=[criterion.pk])
    page = http.get(reverse("milestones:milestone", args=[milestone.pk])).content.decode()
    assert f'href="{delete}"' in page
    confirm = http.get(delete)
    assert confirm.status_code == 200
    assert "Delete the acceptance criterion “Coverage ≥ 90 %”?" in confirm.content.decode()
    assert milestone.criteria.count() == 1  # asking deletes nothing

    response = http.post(delete)
    assert response.status_code == 302 and response.url == restore
    assert not milestone.criteria.exists()
    assert AcceptanceCriterion.with_deleted.get(pk=criterion.pk).deleted_at is not None
    offer = http.get(restore).content.decode()
    assert "Acceptance criterion “Coverage ≥ 90 %” deleted." in offer
    assert undo_button(offer, restore)

    response = http.post(restore)
    assert response.status_code == 302
    assert list(milestone.criteria.all()) == [criterion]
    verbs = Activity.objects.filter(verb__startswith="criterion").values_list("verb", flat=True)
    assert sorted(verbs) == ["criterion.deleted", "criterion.restored"]


def test_over_htmx_the_milestone_page_offers_the_undo_for_ten_seconds(
    pm: User, milestone: Milestone
) -> None:
    criterion = CriterionFactory(milestone=milestone, text="Load test passed")
    http = client_for(pm)
    restore = reverse("milestones:criterion_restore", args=[criterion.pk])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = http.post(reverse("milestones:criterion_delete", args=[criterion.pk]), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="work">')
    assert "Acceptance criterion “Load test passed” deleted." in html
    assert undo_button(html, restore) and 'data-undo-seconds="10"' in html
    assert 'id="criterion-' not in html  # the list no longer shows it
    with time_machine.travel(start + _seconds(11), tick=False):
        late = http.post(restore, **HTMX)
    assert late.status_code == 422
    assert "was deleted too long ago to bring it back" in late.content.decode()
    assert not milestone.criteria.exists()


def test_a_deleted_criterion_no_longer_holds_the_submission_back(
    pm: User, milestone: Milestone
) -> None:
    criterion = CriterionFactory(milestone=milestone)
    VersionFactory(deliverable__milestone=milestone, uploaded_by=pm)
    assert submission_blockers(milestone=milestone) == ["1 acceptance criterion is not met yet."]
    client_for(pm).post(reverse("milestones:criterion_delete", args=[criterion.pk]))
    assert submission_blockers(milestone=milestone) == []


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (Milestone.Status.AWAITING_SIGNOFF, "is awaiting the client's sign-off"),
        (Milestone.Status.APPROVED, "is approved: its criteria and deliverables stay"),
    ],
)
def test_nothing_is_deleted_from_a_milestone_out_for_or_past_sign_off(
    pm: User, milestone: Milestone, status: str, message: str
) -> None:
    criterion = CriterionFactory(milestone=milestone)
    deliverable = DeliverableFactory(milestone=milestone)
    Milestone.objects.filter(pk=milestone.pk).update(status=status, approved_at=timezone.now())
    http = client_for(pm)
    page = http.get(reverse("milestones:milestone", args=[milestone.pk])).content.decode()
    assert reverse("milestones:criterion_delete", args=[criterion.pk]) not in page
    for url in (
        reverse("milestones:criterion_delete", args=[criterion.pk]),
        reverse("milestones:deliverable_delete", args=[deliverable.pk]),
    ):
        plain, htmx = http.post(url), http.post(url, **HTMX)
        assert (plain.status_code, htmx.status_code) == (422, 422)
        assert message in markup.unescape(plain.content.decode())
        assert message in markup.unescape(htmx.content.decode())
    assert milestone.criteria.count() == 1 and milestone.deliverables.count() == 1
    assert not Activity.objects.filter(verb__endswith=".deleted").exists()


def test_a_deliverable_without_files_is_deleted_and_one_with_files_is_refused(
    pm: User, milestone: Milestone
) -> None:
    empty = DeliverableFactory(milestone=milestone, title="Style guide")
    filed = VersionFactory(deliverable__milestone=milestone, uploaded_by=pm).deliverable
    http = client_for(pm)
    page = http.get(reverse("milestones:milestone", args=[milestone.pk])).content.decode()
    assert reverse("milestones:deliverable_delete", args=[empty.pk]) in page
    assert reverse("milestones:deliverable_delete", args=[filed.pk]) not in page
    refused = http.post(reverse("milestones:deliverable_delete", args=[filed.pk]), **HTMX)
    assert refused.status_code == 422
    assert "has files: a deliverable with versions cannot be deleted" in refused.content.decode()

    response = http.post(reverse("milestones:deliverable_delete", args=[empty.pk]), **HTMX)
    restore = reverse("milestones:deliverable_restore", args=[empty.pk])
    assert "Deliverable “Style guide” deleted." in response.content.decode()
    assert undo_button(response.content.decode(), restore)
    assert list(milestone.deliverables.all()) == [filed]
    back = http.post(restore, **HTMX)
    assert "Deliverable “Style guide” is back." in back.content.decode()
    assert set(milestone.deliverables.all()) == {empty, filed}


def test_only_the_planner_deletes_and_outsiders_learn_nothing(
    member: User, other_client_contact: User, milestone: Milestone
) -> None:
    criterion = CriterionFactory(milestone=milestone)
    deliverable = DeliverableFactory(milestone=milestone)
    urls = [
        reverse("milestones:criterion_delete", args=[criterion.pk]),
        reverse("milestones:deliverable_delete", args=[deliverable.pk]),
    ]
    team = client_for(member)
    page = team.get(reverse("milestones:milestone", args=[milestone.pk])).content.decode()
    assert urls[0] not in page
    for url in urls:
        assert team.get(url).status_code == 403
        assert team.post(url).status_code == 403
        assert client_for(other_client_contact).post(url).status_code == 404
    AcceptanceCriterion.objects.filter(pk=criterion.pk).update(deleted_at=timezone.now())
    restore = reverse("milestones:criterion_restore", args=[criterion.pk])
    assert team.post(restore).status_code == 403
    assert milestone.criteria.count() == 0 and milestone.deliverables.count() == 1


def test_deleted_items_are_purged_once_their_undo_is_over_and_only_once(
    milestone: Milestone,
) -> None:
    old = CriterionFactory(milestone=milestone)
    recent = CriterionFactory(milestone=milestone)
    gone = DeliverableFactory(milestone=milestone)
    kept = CriterionFactory(milestone=milestone)
    AcceptanceCriterion.objects.filter(pk=old.pk).update(deleted_at=T0)
    Deliverable.objects.filter(pk=gone.pk).update(deleted_at=T0)
    AcceptanceCriterion.objects.filter(pk=recent.pk).update(deleted_at=T0 + _seconds(8))
    assert deleted_purge(now=T0 + _seconds(12)) == 2
    assert deleted_purge(now=T0 + _seconds(12)) == 0  # a second beat finds nothing
    assert set(AcceptanceCriterion.with_deleted.all()) == {recent, kept}
    assert not Deliverable.with_deleted.exists()
    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert purge_deleted.name in schedule
    with time_machine.travel(T0 + _seconds(60)):
        assert purge_deleted() == 1  # the recent one: its time is over now


def _seconds(count: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=count)


def test_the_milestone_page_shows_what_the_client_asked_to_change(
    pm: User, project: Project, client_contact: User
) -> None:
    milestone = awaiting_milestone(project, pm)
    comment = "The <b>logo</b> is too small\non the login page."
    decide(milestone, client_contact, SignOff.Decision.CHANGES_REQUESTED, comment=comment)
    page = client_for(pm).get(reverse("milestones:milestone", args=[milestone.pk]))
    html = page.content.decode()
    assert "The &lt;b&gt;logo&lt;/b&gt; is too small<br>on the login page." in html
    assert "<b>logo</b>" not in html
    assert "Changes requested" in html and "Alice Acme" in html
