"""What the client does on the project page shows at once everywhere on it, a "mark done" can be
taken back for a few minutes, and the client's own change requests are shown back to them."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from milestones.models import Phase, SignOff
from notifications.models import Notification
from projects.models import Activity, Project, TaskCard, User
from projects.portal.services import card_mark_done_by_client, card_undo_done_by_client
from tests.milestones.factories import MilestoneFactory
from tests.portal.support import awaiting_milestone, decide
from tests.projects.factories import CardFactory, ContactFactory
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def owed(project: Project, title: str = "Send brand assets", **fields: object) -> TaskCard:
    fields = {"responsible": "client", "client_visible": True, "title": title} | fields
    return CardFactory(project=project, **fields)


def region(html: str, region_id: str) -> str:
    """The element with that id, from its opening tag to its section's end."""
    match = re.search(rf'<section id="{region_id}"[^>]*>', html)
    assert match, f"no #{region_id} in the answer"
    return html[match.start() : html.index("</section>", match.end())]


def items_row(html: str, title: str) -> str:
    row = re.search(rf"<tr><td>{re.escape(title)}</td>.*?</tr>", region(html, "items"))
    assert row, f"no row for {title}"
    return row.group(0)


def mark_done(http, card: TaskCard, **extra: str):
    return http.post(reverse("portal:card_done", args=[card.pk]), **extra)


def undo_token(html: str) -> str:
    match = re.search(r'<input type="hidden" name="undo" value="([^"]+)">', html)
    assert match, "no undo offered"
    return match.group(1)


@pytest.fixture
def http(client_contact: User):
    return client_for(client_contact)


def test_marking_done_refreshes_the_items_table_timeline_and_activity_on_the_page(
    http, project: Project
) -> None:
    milestone = MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE))
    card = owed(project, milestone=milestone)
    before = http.get(reverse("portal:project", args=[project.pk])).content.decode()
    assert "<td>To do</td>" in items_row(before, card.title)

    html = mark_done(http, card, **HTMX).content.decode()
    assert html.lstrip().startswith('<section id="waiting"')
    items = region(html, "items")
    assert 'hx-swap-oob="true"' in items.split(">", 1)[0]
    assert "<td>Done</td>" in items_row(html, card.title)
    timeline = region(html, "timeline")
    assert 'hx-swap-oob="true"' in timeline.split(">", 1)[0]
    # The phase's card is done, its milestone not yet approved: half of it.
    assert re.search(r"<title>Prototype: [^<]*, 50 %</title>", timeline)
    activity = region(html, "activity")
    assert "Card “Send brand assets” marked done by the client" in activity


def test_sending_feedback_refreshes_the_activity_too(http, project: Project) -> None:
    html = http.post(
        reverse("portal:feedback", args=[project.pk]), {"text": "Bigger logo"}, **HTMX
    ).content.decode()
    assert html.lstrip().startswith('<section id="feedback"')
    assert "Feedback: Bigger logo" in region(html, "feedback")
    assert "Card “Feedback: Bigger logo” added to To do" in region(html, "activity")


def test_refused_feedback_keeps_the_form_and_changes_no_other_region(
    http, project: Project
) -> None:
    html = http.post(reverse("portal:feedback", args=[project.pk]), {"text": ""}, **HTMX)
    html = html.content.decode()
    assert 'id="feedback"' in html and 'id="activity"' not in html


def test_the_client_takes_back_a_mark_done_within_minutes(http, project: Project, pm: User) -> None:
    first = owed(project, "Approve copy", position=0)
    card = owed(project, position=1)
    last = owed(project, "Provide accounts", position=2)
    answer = mark_done(http, card, **HTMX).content.decode()
    assert "Send brand assets” is done" in region(answer, "waiting")
    token = undo_token(answer)

    html = http.post(
        reverse("portal:card_undo_done", args=[card.pk]), {"undo": token}, **HTMX
    ).content.decode()
    assert "“Send brand assets” is waiting on you again" in region(html, "waiting")
    assert "<td>To do</td>" in items_row(html, card.title)
    card.refresh_from_db()
    assert (card.status, card.completed_at) == ("todo", None)
    todo = project.cards.filter(status="todo").order_by("position")
    assert [c.pk for c in todo] == [first.pk, card.pk, last.pk]  # back in its own place
    assert list(todo.values_list("position", flat=True)) == [0, 1, 2]
    told = Notification.objects.filter(recipient=pm).order_by("pk")
    assert [n.title for n in told][-1].endswith(
        "took back “Send brand assets”: it is not done after all"
    )
    assert Activity.objects.filter(verb="card.moved", actor__email="client@acme.example").exists()
    # The same undo again changes nothing.
    again = http.post(reverse("portal:card_undo_done", args=[card.pk]), {"undo": token}, **HTMX)
    assert "has changed since you marked it done" in again.content.decode()


def test_the_undo_is_refused_once_its_minutes_are_over(http, project: Project) -> None:
    card = owed(project)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer = mark_done(http, card, **HTMX).content.decode()
    assert 'data-undo-seconds="300"' in answer
    with time_machine.travel(start + datetime.timedelta(minutes=6), tick=False):
        response = http.post(
            reverse("portal:card_undo_done", args=[card.pk]), {"undo": undo_token(answer)}, **HTMX
        )
    assert "It is too late to undo this: “Send brand assets” stays done." in (
        response.content.decode().replace("&#x27;", "'")
    )
    card.refresh_from_db()
    assert card.status == "done"


def test_an_undo_is_the_contacts_own_and_refused_once_the_team_moved_the_item(
    http, project: Project, client_contact: User
) -> None:
    card = owed(project)
    token = undo_token(mark_done(http, card, **HTMX).content.decode())
    colleague = client_for(ContactFactory(client=project.client).user)
    url = reverse("portal:card_undo_done", args=[card.pk])
    colleague.post(url, {"undo": token}, **HTMX)
    http.post(url, {"undo": token[:-2] + "xx"}, **HTMX)  # tampered with
    card.refresh_from_db()
    assert card.status == "done"
    TaskCard.objects.filter(pk=card.pk).update(version=card.version + 1)  # the team's edit
    html = http.post(url, {"undo": token}, **HTMX).content.decode()
    assert "has changed since you marked it done" in html
    card.refresh_from_db()
    assert card.status == "done"


def test_without_javascript_the_page_offers_the_undo_after_marking_done(
    http, project: Project
) -> None:
    card = owed(project)
    response = mark_done(http, card)
    assert response.status_code == 302
    assert response.url == reverse("portal:project", args=[project.pk]) + "#waiting"
    page = http.get(response.url).content.decode()
    waiting = region(page, "waiting")
    assert "Thank you: “Send brand assets” is done" in waiting
    back = http.post(
        reverse("portal:card_undo_done", args=[card.pk]), {"undo": undo_token(waiting)}
    )
    assert back.status_code == 302
    card.refresh_from_db()
    assert card.status == "todo"
    # Once taken back, the page offers it no more; nor does a colleague's page ever.
    assert 'name="undo"' not in http.get(response.url).content.decode()
    colleague = client_for(ContactFactory(client=project.client).user)
    mark_done(http, card)
    assert 'name="undo"' not in colleague.get(response.url).content.decode()


def test_the_portal_history_shows_the_clients_change_request(
    http, project: Project, pm: User, client_contact: User
) -> None:
    milestone = awaiting_milestone(project, pm)
    comment = "Use the <i>new</i> colours\nthroughout."
    decide(milestone, client_contact, SignOff.Decision.CHANGES_REQUESTED, comment=comment)
    html = http.get(reverse("portal:project", args=[project.pk])).content.decode()
    history = html[html.index('id="milestones"') :]
    assert "Use the &lt;i&gt;new&lt;/i&gt; colours<br>throughout." in history
    assert "<i>new</i>" not in html


def test_the_undo_service_itself_refuses_once_the_minutes_are_over(
    project: Project, client_contact: User
) -> None:
    """Whatever the caller checked: the item's completion time decides."""
    card = owed(project)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        done = card_mark_done_by_client(card=card, actor=client_contact)
    late = time_machine.travel(start + datetime.timedelta(minutes=6), tick=False)
    with late, pytest.raises(ValidationError, match="too long ago to undo"):
        card_undo_done_by_client(card=card, actor=client_contact, done=done)
    with time_machine.travel(start + datetime.timedelta(minutes=4), tick=False):
        card_undo_done_by_client(card=card, actor=client_contact, done=done)
    card.refresh_from_db()
    assert card.status == "todo"
