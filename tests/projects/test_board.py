import datetime
import json
import threading

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from projects.models import Activity, Project, TaskCard, User
from tests.milestones.factories import MilestoneFactory
from tests.projects.boards import assert_columns_numbered, positions
from tests.projects.factories import CardFactory, UserFactory
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def board_url(project: Project, query: str = "") -> str:
    return reverse("projects:board", args=[project.pk]) + query


def column(project: Project, status: str) -> list[str]:
    cards = project.cards.filter(status=status).order_by("position")
    return list(cards.values_list("title", flat=True))


def move(user: User, card: TaskCard, *, version: int | None = None, **data: object):
    payload = {"version": card.version if version is None else version, **data}
    return client_for(user).post(reverse("projects:card_move", args=[card.pk]), payload, **HTMX)


@pytest.fixture
def cards(project: Project) -> list[TaskCard]:
    return [CardFactory(project=project, title=f"T{n}", position=n) for n in range(4)]


def test_board_shows_five_columns_with_cards_in_order(pm: User, cards: list[TaskCard]) -> None:
    project = cards[0].project
    CardFactory(project=project, title="Shipped", status=TaskCard.Status.DONE, position=0)
    response = client_for(pm).get(board_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("To do", "In progress", "Blocked", "In review", "Done"):
        assert label in html
    assert html.index("T0") < html.index("T1") < html.index("T3") < html.index("Shipped")


def test_board_htmx_request_gets_only_the_columns(pm: User, cards: list[TaskCard]) -> None:
    response = client_for(pm).get(board_url(cards[0].project), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="columns"')
    assert "<html" not in html


def test_cards_show_late_due_date_assignee_and_client_owes_mark(pm: User, project: Project) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CardFactory(project=project, title="Logo files", due_date=yesterday, assignee=pm)
    CardFactory(project=project, title="Data export", responsible=TaskCard.Responsible.CLIENT)
    html = client_for(pm).get(board_url(project)).content.decode()
    assert 'class="due late"' in html
    assert str(pm) in html
    assert "Client owes this" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?late=on", {"Late one"}),
        ("?responsible=client", {"Client one"}),
        ("?mine=on", {"Mine"}),
    ],
)
def test_board_filters(pm: User, member: User, project: Project, query: str, expected: set) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    CardFactory(project=project, title="Late one", due_date=yesterday, assignee=member)
    CardFactory(project=project, title="Client one", responsible=TaskCard.Responsible.CLIENT)
    CardFactory(project=project, title="Mine", assignee=pm)
    columns = client_for(pm).get(board_url(project, query)).context["columns"]
    html = "".join(column["html"] for column in columns)
    shown = {title for title in ("Late one", "Client one", "Mine") if title in html}
    assert shown == expected


def test_board_filters_by_assignee_and_milestone(pm: User, member: User, project: Project) -> None:
    milestone = MilestoneFactory(phase=project.phases.first())
    CardFactory(project=project, title="On milestone", milestone=milestone)
    CardFactory(project=project, title="Member's", assignee=member)
    http = client_for(pm)
    by_milestone = http.get(board_url(project, f"?milestone={milestone.pk}")).content.decode()
    by_assignee = http.get(board_url(project, f"?assignee={member.pk}")).content.decode()
    assert "On milestone" in by_milestone and "Member&#x27;s" not in by_milestone
    assert "Member&#x27;s" in by_assignee and "On milestone" not in by_assignee


def test_quick_add_puts_the_card_at_the_bottom_of_its_column(
    member: User, cards: list[TaskCard]
) -> None:
    project = cards[0].project
    url = reverse("projects:card_add", args=[project.pk])
    response = client_for(member).post(url, {"title": "Fresh", "status": "todo"}, **HTMX)
    assert response.status_code == 204
    assert "board-changed" in json.loads(response["HX-Trigger"])
    assert column(project, "todo")[-1] == "Fresh"
    assert Activity.objects.filter(project=project, verb="card.created", actor=member).exists()


def test_quick_add_without_javascript_redirects_to_the_board(pm: User, project: Project) -> None:
    url = reverse("projects:card_add", args=[project.pk])
    response = client_for(pm).post(url, {"title": "Plain", "status": "in_review"})
    assert response.status_code == 302
    assert column(project, "in_review") == ["Plain"]


def test_quick_add_with_empty_title_is_refused(pm: User, project: Project) -> None:
    url = reverse("projects:card_add", args=[project.pk])
    response = client_for(pm).post(url, {"title": "", "status": "todo"})
    assert response.status_code == 422
    assert not project.cards.exists()


def test_quick_add_cannot_skip_the_blocked_reason(pm: User, project: Project) -> None:
    url = reverse("projects:card_add", args=[project.pk])
    response = client_for(pm).post(url, {"title": "Stuck", "status": "blocked"})
    assert response.status_code == 422
    assert not project.cards.exists()


def test_move_to_another_column_after_a_card(pm: User, cards: list[TaskCard]) -> None:
    project = cards[0].project
    done = CardFactory(project=project, title="D0", status=TaskCard.Status.DONE, position=0)
    CardFactory(project=project, title="D1", status=TaskCard.Status.DONE, position=1)
    response = move(pm, cards[1], status="done", after=done.pk)
    assert response.status_code == 204
    assert column(project, "done") == ["D0", "T1", "D1"]
    assert column(project, "todo") == ["T0", "T2", "T3"]
    assert positions(project)["todo"] == [0, 1, 2]
    moved = TaskCard.objects.get(pk=cards[1].pk)
    assert moved.version == cards[1].version + 1
    assert moved.completed_at is not None
    activity = Activity.objects.get(project=project, verb="card.moved")
    assert activity.summary == "Card “T1” moved from To do to Done"
    assert activity.actor == pm


def test_reorder_within_a_column_to_the_top(pm: User, cards: list[TaskCard]) -> None:
    project = cards[0].project
    assert move(pm, cards[3], status="todo", position=1).status_code == 204
    assert column(project, "todo") == ["T3", "T0", "T1", "T2"]
    assert positions(project)["todo"] == [0, 1, 2, 3]


def test_move_without_javascript_redirects_to_the_board(pm: User, cards: list[TaskCard]) -> None:
    project = cards[0].project
    url = reverse("projects:card_move", args=[cards[0].pk])
    page = client_for(pm).get(url)
    assert page.status_code == 200
    assert b'name="status"' in page.content
    response = client_for(pm).post(url, {"version": cards[0].version, "status": "in_progress"})
    assert response.status_code == 302
    assert column(project, "in_progress") == ["T0"]


def test_moving_to_blocked_needs_a_reason(pm: User, cards: list[TaskCard]) -> None:
    project = cards[0].project
    response = move(pm, cards[0], status="blocked")
    assert response.status_code == 422
    assert "Say why the card is blocked" in response.content.decode()
    assert response["HX-Retarget"] == "#panel"
    assert column(project, "todo") == ["T0", "T1", "T2", "T3"]
    assert move(pm, cards[0], status="blocked", blocked_reason="No VPN").status_code == 204
    assert TaskCard.objects.get(pk=cards[0].pk).blocked_reason == "No VPN"


def test_a_stale_move_is_refused_with_409_and_changes_nothing(
    pm: User, member: User, cards: list[TaskCard]
) -> None:
    project = cards[0].project
    card = cards[0]
    assert move(member, card, status="in_review").status_code == 204
    response = move(pm, card, version=card.version, status="done")
    assert response.status_code == 409
    assert "Someone else changed this card" in response.content.decode()
    assert column(project, "in_review") == ["T0"]
    assert column(project, "done") == []


def test_card_panel_for_htmx_and_full_page_without(pm: User, cards: list[TaskCard]) -> None:
    url = reverse("projects:card", args=[cards[0].pk])
    partial = client_for(pm).get(url, **HTMX).content.decode()
    page = client_for(pm).get(url).content.decode()
    assert partial.lstrip().startswith('<section class="card-panel"')
    assert "<html" in page and 'name="blocked_reason"' in page


def card_data(card: TaskCard, **changes: object) -> dict:
    data = {
        "title": card.title,
        "description": card.description,
        "status": card.status,
        "assignee": card.assignee_id or "",
        "due_date": card.due_date or "",
        "milestone": card.milestone_id or "",
        "responsible": card.responsible,
        "blocked_reason": card.blocked_reason,
        "version": card.version,
    }
    if card.client_visible:
        data["client_visible"] = "on"
    return data | changes


def test_saving_a_card_records_the_change_once(member: User, cards: list[TaskCard]) -> None:
    card = cards[0]
    url = reverse("projects:card", args=[card.pk])
    response = client_for(member).post(url, card_data(card, title="Renamed", assignee=member.pk))
    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.title, card.assignee, card.version) == ("Renamed", member, 2)
    activity = Activity.objects.get(verb="card.updated")
    assert activity.summary == "Card “Renamed” changed: title, assignee"


def test_a_card_the_client_owes_is_always_shown_to_the_client(
    pm: User, cards: list[TaskCard]
) -> None:
    card = cards[0]
    url = reverse("projects:card", args=[card.pk])
    assert not card.client_visible
    assert client_for(pm).post(url, card_data(card, responsible="client")).status_code == 302
    card.refresh_from_db()
    assert (card.responsible, card.client_visible) == ("client", True)


def test_saving_without_changes_records_nothing(pm: User, cards: list[TaskCard]) -> None:
    card = cards[0]
    response = client_for(pm).post(reverse("projects:card", args=[card.pk]), card_data(card))
    assert response.status_code == 302
    assert not Activity.objects.filter(verb="card.updated").exists()
    card.refresh_from_db()
    assert card.version == 1


def test_status_blocked_in_the_panel_needs_a_reason(pm: User, cards: list[TaskCard]) -> None:
    card = cards[0]
    url = reverse("projects:card", args=[card.pk])
    data = card_data(card, status="blocked", description="keep me")
    response = client_for(pm).post(url, data, **HTMX)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Say why the card is blocked" in html
    assert "keep me" in html
    card.refresh_from_db()
    assert card.status == "todo"


def test_status_change_in_the_panel_moves_the_card_to_the_bottom(
    pm: User, cards: list[TaskCard]
) -> None:
    project = cards[0].project
    CardFactory(project=project, title="R0", status=TaskCard.Status.IN_REVIEW, position=0)
    url = reverse("projects:card", args=[cards[1].pk])
    client_for(pm).post(url, card_data(cards[1], status="in_review"))
    assert column(project, "in_review") == ["R0", "T1"]
    assert positions(project)["todo"] == [0, 1, 2]


def test_a_stale_save_is_refused_with_409_and_shows_the_current_card(
    pm: User, member: User, cards: list[TaskCard]
) -> None:
    card = cards[0]
    url = reverse("projects:card", args=[card.pk])
    first = client_for(member).post(url, card_data(card, title="First edit"), **HTMX)
    assert first.status_code == 200
    second = client_for(pm).post(url, card_data(card, title="Second edit"), **HTMX)
    assert second.status_code == 409
    html = second.content.decode()
    assert 'value="First edit"' in html
    assert "Your changes (not saved)" in html and "Second edit" in html
    assert 'name="version" value="2"' in html
    card.refresh_from_db()
    assert (card.title, card.version) == ("First edit", 2)


def test_due_date_edited_in_place_returns_the_card(pm: User, cards: list[TaskCard]) -> None:
    card = cards[0]
    url = reverse("projects:card_due", args=[card.pk])
    form = client_for(pm).get(url, **HTMX).content.decode()
    assert form.lstrip().startswith('<form class="due-form"')
    response = client_for(pm).post(url, {"due_date": "2031-05-04", "version": 1}, **HTMX)
    assert response.status_code == 200
    assert f'id="card-{card.pk}"' in response.content.decode()
    card.refresh_from_db()
    assert card.due_date == datetime.date(2031, 5, 4)
    assert card.version == 2


def test_due_date_with_a_stale_version_is_refused(pm: User, cards: list[TaskCard]) -> None:
    card = cards[0]
    TaskCard.objects.filter(pk=card.pk).update(version=5)
    url = reverse("projects:card_due", args=[card.pk])
    response = client_for(pm).post(url, {"due_date": "2031-05-04", "version": 1})
    assert response.status_code == 409
    card.refresh_from_db()
    assert card.due_date is None


def test_team_member_of_another_project_cannot_touch_cards(cards: list[TaskCard]) -> None:
    outsider = UserFactory(role=User.Role.MEMBER)
    card = cards[0]
    assert move(outsider, card, status="done").status_code == 404
    url = reverse("projects:card", args=[card.pk])
    assert client_for(outsider).post(url, card_data(card, title="x")).status_code == 404
    card.refresh_from_db()
    assert (card.status, card.title, card.version) == ("todo", "T0", 1)


@pytest.mark.parametrize("count", [50, 500])
def test_board_query_count_does_not_grow_with_cards(
    pm: User, project: Project, django_assert_max_num_queries, settings: object, count: int
) -> None:
    settings.BOARD_CACHE_SECONDS = 0  # measure the rendering, not the cache
    people = UserFactory.create_batch(3)
    project.team.add(*people)
    milestones = MilestoneFactory.create_batch(3, phase=project.phases.first())
    TaskCard.objects.bulk_create(
        TaskCard(
            project=project,
            title=f"Card {n}",
            status=TaskCard.Status.values[n % 5],
            position=n,
            assignee=people[n % 3],
            milestone=milestones[n % 3],
            due_date=timezone.localdate(),
            blocked_reason="waiting",
        )
        for n in range(count)
    )
    http = client_for(pm)
    # Session, user, board version, project, people, milestones, cards.
    with django_assert_max_num_queries(7):
        response = http.get(board_url(project))
    assert sum(column["count"] for column in response.context["columns"]) == count


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the embedded SQLite database runs one writer at a time; the test database is "
    "in memory, where concurrent connections fail instead of waiting",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_moves_keep_every_column_numbered_without_gaps_or_duplicates(
    pm: User, project: Project
) -> None:
    cards = [CardFactory(project=project, title=f"C{n}", position=n) for n in range(12)]
    targets = ["done", "in_progress", "todo", "in_review"]
    errors: list[BaseException] = []

    def worker(batch: list[TaskCard], offset: int) -> None:
        try:
            for number, card in enumerate(batch):
                status = targets[(number + offset) % len(targets)]
                response = move(pm, card, status=status, position=1 + number % 2)
                assert response.status_code == 204, response.status_code
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(cards[n::3], n)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert project.cards.count() == 12
    assert_columns_numbered(project)
