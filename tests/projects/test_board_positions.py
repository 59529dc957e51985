"""Every write that adds, moves or removes a card leaves each column numbered 0..n-1: the team's
board, the client's portal, a sign-off sending a milestone back, and the admin."""

from collections.abc import Callable

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from milestones.models import Milestone, Phase
from milestones.signoff import signoff_decision_now, signoff_record
from projects import services
from projects.models import Project, TaskCard, User
from projects.portal.services import card_mark_done_by_client, feedback_create
from tests.milestones.factories import MilestoneFactory, VersionFactory
from tests.projects.boards import assert_columns_numbered, positions
from tests.projects.factories import ContactFactory, ProjectFactory

COLUMNS = {"todo": 3, "in_progress": 2, "done": 2}


@pytest.fixture
def board(project: Project, pm: User) -> dict[str, list[TaskCard]]:
    """Three columns of cards added through the board, the middle one of To do owed by the
    client: so that a card leaving To do leaves from the middle."""
    cards = {
        status: [
            services.card_create(actor=pm, project=project, title=f"{status} {n}", status=status)
            for n in range(count)
        ]
        for status, count in COLUMNS.items()
    }
    owed = cards["todo"][1]
    TaskCard.objects.filter(pk=owed.pk).update(responsible="client", client_visible=True)
    assert_columns_numbered(project)
    return cards


def _fresh(card: TaskCard) -> TaskCard:
    return TaskCard.objects.select_related("project").get(pk=card.pk)


def _create(cards: dict, pm: User) -> None:
    services.card_create(actor=pm, project=pm.managed_projects.get(), title="New", status="done")


def _move_to_another_column(cards: dict, pm: User) -> None:
    card = _fresh(cards["todo"][0])
    services.card_move(actor=pm, card=card, version=card.version, status="done", index=1)


def _move_after_a_card(cards: dict, pm: User) -> None:
    card, after = _fresh(cards["done"][1]), cards["in_progress"][0]
    services.card_move(
        actor=pm, card=card, version=card.version, status="in_progress", after_id=after.pk
    )


def _reorder_to_the_top(cards: dict, pm: User) -> None:
    card = _fresh(cards["todo"][2])
    services.card_move(actor=pm, card=card, version=card.version, status="todo", index=0)


def _move_past_the_end(cards: dict, pm: User) -> None:
    card = _fresh(cards["todo"][0])
    services.card_move(actor=pm, card=card, version=card.version, status="todo", index=99)


def _status_set_in_the_panel(cards: dict, pm: User) -> None:
    card = _fresh(cards["todo"][1])
    services.card_update(actor=pm, card=card, version=card.version, changes={"status": "in_review"})


def _client_marks_done(cards: dict, pm: User) -> None:
    card = _fresh(cards["todo"][1])
    contact = ContactFactory(client=card.project.client).user
    assert card_mark_done_by_client(card=card, actor=contact)


def _client_sends_feedback(cards: dict, pm: User) -> None:
    project = pm.managed_projects.get()
    contact = ContactFactory(client=project.client).user
    feedback_create(project=project, actor=contact, text="The logo is too small.")


def _client_sends_a_milestone_back(cards: dict, pm: User) -> None:
    project = pm.managed_projects.get()
    milestone = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.DEV_TEST),
        status=Milestone.Status.AWAITING_SIGNOFF,
        revision=1,
    )
    VersionFactory(deliverable__milestone=milestone, uploaded_by=pm)
    contact = ContactFactory(client=project.client).user
    decision = signoff_decision_now(
        milestone=milestone,
        signer=contact,
        decision="changes_requested",
        typed_name=contact.full_name,
        comment="Not yet.",
    )
    signoff_record(
        milestone=milestone, signer=contact, decision=decision, ip_address=None, user_agent="t"
    )
    assert project.cards.filter(source=TaskCard.Source.CHANGES_REQUESTED).count() == 1


@pytest.mark.parametrize(
    "write",
    [
        _create,
        _move_to_another_column,
        _move_after_a_card,
        _reorder_to_the_top,
        _move_past_the_end,
        _status_set_in_the_panel,
        _client_marks_done,
        _client_sends_feedback,
        _client_sends_a_milestone_back,
    ],
)
def test_every_board_write_keeps_every_column_numbered(
    pm: User, board: dict[str, list[TaskCard]], write: Callable[[dict, User], None]
) -> None:
    project = pm.managed_projects.get()
    before = sum(len(numbers) for numbers in positions(project).values())
    write(board, pm)
    assert_columns_numbered(project)
    assert sum(len(numbers) for numbers in positions(project).values()) >= before


def test_the_client_marking_done_puts_the_card_at_the_bottom_of_done(
    pm: User, board: dict[str, list[TaskCard]]
) -> None:
    _client_marks_done(board, pm)
    card = _fresh(board["todo"][1])
    assert (card.status, card.position) == ("done", COLUMNS["done"])
    assert card.completed_at is not None
    assert card.version == 2


def test_a_card_added_straight_to_done_is_completed(pm: User, project: Project) -> None:
    card = services.card_create(actor=pm, project=project, title="Shipped", status="done")
    assert card.completed_at is not None


def _admin_form(card: TaskCard, **changes: object) -> dict:
    data = {
        "project": card.project_id,
        "title": card.title,
        "status": card.status,
        "responsible": card.responsible,
        "source": card.source,
    }
    return data | changes


def test_a_column_changed_in_the_admin_puts_the_card_at_the_bottom(
    pm: User, board: dict[str, list[TaskCard]], admin: HttpClient
) -> None:
    card = board["todo"][0]
    url = reverse("admin:projects_taskcard_change", args=[card.pk])
    response = admin.post(url, _admin_form(card, status="done"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_columns_numbered(card.project)
    card = _fresh(card)
    assert (card.status, card.position, card.version) == ("done", COLUMNS["done"], 2)
    assert card.completed_at is not None


def test_a_card_edited_in_the_admin_keeps_its_place_in_its_column(
    pm: User, board: dict[str, list[TaskCard]], admin: HttpClient
) -> None:
    card = board["todo"][1]
    url = reverse("admin:projects_taskcard_change", args=[card.pk])
    assert admin.post(url, _admin_form(card, title="Renamed")).status_code == 302
    assert (_fresh(card).title, _fresh(card).position) == ("Renamed", 1)
    assert_columns_numbered(card.project)


def test_a_card_moved_to_another_project_in_the_admin_leaves_no_gap(
    pm: User, board: dict[str, list[TaskCard]], admin: HttpClient
) -> None:
    card, other = board["todo"][0], ProjectFactory(pm=pm)
    services.card_create(actor=pm, project=other, title="Already there")
    url = reverse("admin:projects_taskcard_change", args=[card.pk])
    assert admin.post(url, _admin_form(card, project=other.pk)).status_code == 302
    assert _fresh(card).position == 1
    assert_columns_numbered(card.project, other)


def test_a_card_added_in_the_admin_goes_to_the_bottom(
    pm: User, board: dict[str, list[TaskCard]], admin: HttpClient
) -> None:
    project = board["todo"][0].project
    data = _admin_form(board["todo"][0], title="Added in the admin")
    assert admin.post(reverse("admin:projects_taskcard_add"), data).status_code == 302
    assert project.cards.get(title="Added in the admin").position == COLUMNS["todo"]
    assert_columns_numbered(project)


def test_cards_deleted_in_the_admin_leave_no_gap(
    pm: User, board: dict[str, list[TaskCard]], admin: HttpClient
) -> None:
    project = board["todo"][0].project
    url = reverse("admin:projects_taskcard_delete", args=[board["todo"][0].pk])
    assert admin.post(url, {"post": "yes"}).status_code == 302
    assert_columns_numbered(project)
    chosen = [board["todo"][1].pk, board["done"][0].pk, board["in_progress"][1].pk]
    deletion = {"action": "delete_selected", "_selected_action": chosen, "post": "yes"}
    url = reverse("admin:projects_taskcard_changelist")
    assert admin.post(url, deletion).status_code == 302
    left = positions(project)
    assert (left["todo"], left["in_progress"], left["done"]) == ([0], [0], [0])
