"""Archiving a card: it leaves the board, the portal, the reports and every count, stays in the
database and the activity, its column closes up; for a few seconds it can be brought back."""

import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from notifications.overdue import overdue_check
from projects.models import Activity, Project, TaskCard, User
from reports.periods import Week
from reports.selectors import report_data
from tests.projects.factories import CardFactory
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def column(project: Project) -> list[TaskCard]:
    return [CardFactory(project=project, title=f"Card {n}", position=n) for n in range(4)]


def titles(project: Project, status: str = TaskCard.Status.TODO) -> list[str]:
    return list(
        project.cards.filter(status=status).order_by("position").values_list("title", flat=True)
    )


def positions(project: Project, status: str = TaskCard.Status.TODO) -> list[int]:
    cards = project.cards.filter(status=status).order_by("position")
    return list(cards.values_list("position", flat=True))


def archive(user: User, card: TaskCard, **extra: str):
    return client_for(user).post(reverse("projects:card_archive", args=[card.pk]), **extra)


def test_the_pm_archives_a_card_after_confirming_and_its_column_closes_up(
    pm: User, project: Project, column: list[TaskCard]
) -> None:
    card = column[1]
    http = client_for(pm)
    panel = http.get(reverse("projects:card", args=[card.pk]), **HTMX).content.decode()
    assert reverse("projects:card_archive", args=[card.pk]) in panel
    confirm = http.get(reverse("projects:card_archive", args=[card.pk]))
    assert "Archive “Card 1”?" in confirm.content.decode()
    assert titles(project) == ["Card 0", "Card 1", "Card 2", "Card 3"]  # asking changes nothing

    response = archive(pm, card, **HTMX)
    assert response.status_code == 200
    assert "board-changed" in json.loads(response["HX-Trigger"])
    html = response.content.decode()
    assert "“Card 1” archived." in html
    assert reverse("projects:card_unarchive", args=[card.pk]) in html
    assert 'name="index" value="1"' in html
    assert titles(project) == ["Card 0", "Card 2", "Card 3"]
    assert positions(project) == [0, 1, 2]
    kept = TaskCard.with_archived.get(pk=card.pk)
    assert kept.archived_at is not None and kept.position is None
    assert Activity.objects.filter(verb="card.archived", summary__contains="Card 1").exists()
    board = http.get(reverse("projects:board", args=[project.pk])).content.decode()
    assert "Card 1" not in board and "Card 2" in board


def test_undo_within_ten_seconds_puts_the_card_back_where_it_was(
    pm: User, project: Project, column: list[TaskCard]
) -> None:
    card = column[1]
    archive(pm, card, **HTMX)
    url = reverse("projects:card_unarchive", args=[card.pk])
    response = client_for(pm).post(url, {"index": "1"}, **HTMX)
    assert response.status_code == 200
    assert "board-changed" in json.loads(response["HX-Trigger"])
    assert "Back on the board." in response.content.decode()
    assert titles(project) == ["Card 0", "Card 1", "Card 2", "Card 3"]
    assert positions(project) == [0, 1, 2, 3]
    assert Activity.objects.filter(verb="card.unarchived").count() == 1


def test_undo_is_refused_after_ten_seconds(
    pm: User, project: Project, column: list[TaskCard]
) -> None:
    card = column[0]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        archive(pm, card, **HTMX)
    url = reverse("projects:card_unarchive", args=[card.pk])
    with time_machine.travel(start + datetime.timedelta(seconds=11), tick=False):
        page = client_for(pm).get(url).content.decode()
        response = client_for(pm).post(url, {"index": "0"}, **HTMX)
    assert "It is too late to undo this here." in page  # and no undo button
    assert f'action="{url}"' not in page
    assert response.status_code == 422
    assert "archived too long ago to undo" in response.content.decode()
    assert TaskCard.with_archived.get(pk=card.pk).archived_at is not None
    assert titles(project) == ["Card 1", "Card 2", "Card 3"]


def test_without_javascript_archiving_leads_to_a_page_with_the_undo(
    pm: User, project: Project, column: list[TaskCard]
) -> None:
    card = column[2]
    http = client_for(pm)
    response = archive(pm, card)
    url = reverse("projects:card_unarchive", args=[card.pk])
    assert response.status_code == 302 and response.url == f"{url}?index=2"
    page = http.get(response.url).content.decode()
    assert "“Card 2” is archived" in page
    assert re.search(rf'<form method="post" action="{url}"', page)
    assert 'name="index" value="2"' in page
    back = http.post(url, {"index": "2"})
    assert back.status_code == 302 and back.url == reverse("projects:board", args=[project.pk])
    assert titles(project) == ["Card 0", "Card 1", "Card 2", "Card 3"]


def test_an_archived_card_leaves_the_portal_the_counts_and_the_reports(
    pm: User, project: Project, client_contact: User
) -> None:
    owed = CardFactory(
        project=project,
        title="Send the logo files",
        responsible=TaskCard.Responsible.CLIENT,
        client_visible=True,
        due_date=timezone.localdate() - datetime.timedelta(days=3),
    )
    CardFactory(project=project, title="Still here", status=TaskCard.Status.DONE)
    archive(pm, owed, **HTMX)
    row = client_for(pm).get(reverse("projects:list")).context["projects"][0]
    assert (row.cards_total, row.cards_done, row.progress) == (1, 1, 100)
    assert (row.overdue_count, row.waiting_on_client, row.health) == (0, 0, "on_track")
    portal = client_for(client_contact)
    page = portal.get(reverse("portal:project", args=[project.pk])).content.decode()
    waiting, items = page[page.index('id="waiting"') :], page[page.index('id="items"') :]
    assert "Send the logo files" not in waiting[: waiting.index("</section>")]
    assert "Send the logo files" not in items[: items.index("</section>")]
    assert "Card “Send the logo files” archived" in page  # the activity says what happened
    assert "0 items waiting on you" in portal.get(reverse("portal:home")).content.decode()
    done = reverse("portal:card_done", args=[owed.pk])
    assert portal.post(done).status_code == 404
    week = Week.containing(timezone.localdate())
    data = report_data(project_id=project.pk, week=week, audience="internal", now=timezone.now())
    assert data.cards_total == 1 and data.waiting.total == 0 and data.overdue.total == 0
    assert not overdue_check(now=timezone.now()).created
    assert Activity.objects.filter(verb="card.archived").exists()  # the history keeps it


def test_only_the_planner_archives_and_outsiders_get_404(
    member: User, other_client_contact: User, project: Project, column: list[TaskCard]
) -> None:
    card = column[0]
    team = client_for(member)
    panel = team.get(reverse("projects:card", args=[card.pk]), **HTMX).content.decode()
    assert reverse("projects:card_archive", args=[card.pk]) not in panel
    assert team.get(reverse("projects:card_archive", args=[card.pk])).status_code == 403
    assert archive(member, card).status_code == 403
    assert archive(other_client_contact, card).status_code == 404
    assert TaskCard.objects.filter(pk=card.pk).exists()
    TaskCard.objects.filter(pk=card.pk).update(archived_at=timezone.now(), position=None)
    unarchive = reverse("projects:card_unarchive", args=[card.pk])
    assert team.post(unarchive).status_code == 403
    assert client_for(other_client_contact).post(unarchive).status_code == 404
    assert not TaskCard.objects.filter(pk=card.pk).exists()


def test_an_archived_card_has_no_pages_of_its_own_on_the_board(
    pm: User, column: list[TaskCard]
) -> None:
    card = column[0]
    archive(pm, card, **HTMX)
    http = client_for(pm)
    for name in (
        "projects:card",
        "projects:card_due",
        "projects:card_move",
        "projects:card_archive",
    ):
        assert http.get(reverse(name, args=[card.pk])).status_code == 404
