"""The board page is reused until the board changes: each write that changes what the board
shows must show at once, and nothing of one visitor's page may reach another."""

import datetime
import re
import zoneinfo
from collections.abc import Callable

import pytest
import time_machine
from django.http import Http404
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from clientprogress.access import board_version_for_user, visible_projects
from milestones.services import milestone_create, milestone_update
from projects import services
from projects.models import Project, TaskCard, User
from projects.portal.services import card_mark_done_by_client
from tests.milestones.factories import MilestoneFactory
from tests.projects.factories import CardFactory, ProjectFactory, UserFactory
from tests.support import client_for

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


def board_url(project: Project) -> str:
    return reverse("projects:board", args=[project.pk])


@pytest.fixture
def card(project: Project) -> TaskCard:
    return CardFactory(project=project, title="Original title", position=0)


def test_a_second_visit_is_answered_from_the_cache(
    pm: User, card: TaskCard, django_assert_max_num_queries
) -> None:
    http = client_for(pm)
    first = http.get(board_url(card.project))
    # Session, user, and the board version with the access check: nothing is rendered again.
    with django_assert_max_num_queries(3):
        second = http.get(board_url(card.project))
    assert second.status_code == 200
    assert second.templates == []
    same = ANY_TOKEN.sub("", second.content.decode()) == ANY_TOKEN.sub("", first.content.decode())
    assert same


def _rename_card(card: TaskCard, pm: User) -> str:
    services.card_update(actor=pm, card=card, version=card.version, changes={"title": "Renamed"})
    return "Renamed"


def _move_card(card: TaskCard, pm: User) -> str:
    services.card_move(actor=pm, card=card, version=card.version, status="in_review")
    return f'data-status="in_review"><li class="card" id="card-{card.pk}"'


def _add_card(card: TaskCard, pm: User) -> str:
    services.card_create(actor=pm, project=card.project, title="Brand new card")
    return "Brand new card"


def _add_milestone(card: TaskCard, pm: User) -> str:
    phase = card.project.phases.first()
    milestone_create(
        actor=pm, phase=phase, title="Launch party", due_date=datetime.date(2031, 1, 1)
    )
    return "Launch party"


def _rename_milestone(card: TaskCard, pm: User) -> str:
    milestone = MilestoneFactory(phase=card.project.phases.first(), title="Beta")
    milestone_update(actor=pm, milestone=milestone, changes={"title": "Release candidate"})
    return "Release candidate"


def _add_to_team(card: TaskCard, pm: User) -> str:
    newcomer = UserFactory(full_name="Nadia Newcomer")
    project = card.project
    services.project_update(
        actor=pm, project=project, changes={}, team=[*project.team.all(), newcomer]
    )
    return "Nadia Newcomer"


def _client_ticks_off(card: TaskCard, pm: User) -> str:
    TaskCard.objects.filter(pk=card.pk).update(responsible="client", client_visible=True)
    contact = UserFactory(role=User.Role.CLIENT)
    assert card_mark_done_by_client(card=card, actor=contact)
    return f'data-status="done"><li class="card" id="card-{card.pk}"'


@pytest.mark.parametrize(
    "write",
    [
        _rename_card,
        _move_card,
        _add_card,
        _add_milestone,
        _rename_milestone,
        _add_to_team,
        _client_ticks_off,
    ],
)
def test_every_write_that_changes_the_board_shows_at_once(
    pm: User, card: TaskCard, write: Callable[[TaskCard, User], str]
) -> None:
    http = client_for(pm)
    http.get(board_url(card.project))
    before = http.get(board_url(card.project)).content.decode()
    expected = write(card, pm)
    assert expected not in before
    assert expected in http.get(board_url(card.project)).content.decode()


def test_each_browser_gets_its_own_working_csrf_token(pm: User, card: TaskCard) -> None:
    browsers = [HttpClient(enforce_csrf_checks=True) for _ in range(2)]
    tokens = []
    for browser in browsers:
        browser.force_login(pm)
        browser.get(board_url(card.project))
        page = browser.get(board_url(card.project)).content.decode()
        found = set(TOKEN.findall(page))
        assert len(found) == 1
        tokens.append(found.pop())
    assert tokens[0] != tokens[1]
    for number, (browser, token) in enumerate(zip(browsers, tokens, strict=True)):
        url = reverse("projects:card_add", args=[card.project.pk])
        data = {
            "title": f"Added by browser {number}",
            "status": "todo",
            "csrfmiddlewaretoken": token,
        }
        assert browser.post(url, data).status_code == 302
    assert card.project.cards.filter(title__startswith="Added by browser").count() == 2


def test_a_visitor_never_gets_another_visitors_page(pm: User, member: User, card: TaskCard) -> None:
    client_for(pm).get(board_url(card.project))
    page = client_for(member).get(board_url(card.project)).content.decode()
    assert f'title="{member.email}"' in page
    assert f'title="{pm.email}"' not in page


def test_a_member_taken_off_the_team_loses_the_board_at_once(member: User, card: TaskCard) -> None:
    http = client_for(member)
    assert http.get(board_url(card.project)).status_code == 200
    card.project.team.remove(member)  # even a change that does not go through a service
    assert http.get(board_url(card.project)).status_code == 404


def test_a_one_time_message_is_shown_once(pm: User, card: TaskCard) -> None:
    http = client_for(pm)
    http.get(board_url(card.project))
    data = {
        "version": card.version,
        "title": "Saved without JavaScript",
        "status": card.status,
        "responsible": "team",
    }
    response = http.post(reverse("projects:card", args=[card.pk]), data, follow=True)
    assert "Card saved." in response.content.decode()
    assert "Card saved." not in http.get(board_url(card.project)).content.decode()


def test_cards_turn_late_when_the_day_changes(pm: User, project: Project) -> None:
    with time_machine.travel(datetime.datetime(2031, 3, 2, 12, tzinfo=datetime.UTC)):
        CardFactory(project=project, title="Due tomorrow", due_date=datetime.date(2031, 3, 3))
        http = client_for(pm)
        assert 'class="due late"' not in http.get(board_url(project)).content.decode()
    with time_machine.travel(datetime.datetime(2031, 3, 4, 12, tzinfo=datetime.UTC)):
        assert 'class="due late"' in http.get(board_url(project)).content.decode()


def test_the_board_access_check_agrees_with_visible_projects(
    project: Project, pm: User, member: User, manager: User, client_contact: User
) -> None:
    other = ProjectFactory()
    outsider = UserFactory(role=User.Role.MEMBER)
    superuser = UserFactory(role=User.Role.MEMBER, is_superuser=True)
    inactive = UserFactory(role=User.Role.PM, is_active=False)
    other.team.add(inactive)
    checked = 0
    for user in (pm, member, manager, outsider, superuser, inactive, other.pm, client_contact):
        request = RequestFactory().get("/")
        request.user = user
        for candidate in (project, other):
            # Client contacts see their projects in the portal, never in the workspace.
            visible = not user.is_client and visible_projects(user).filter(pk=candidate.pk).exists()
            try:
                board_version_for_user(request, candidate.pk)
            except Http404:
                assert not visible, (user, candidate)
            else:
                assert visible, (user, candidate)
                checked += 1
    assert checked == 7  # pm, member, other.pm, and both projects for manager and superuser


def test_a_cards_html_is_reused_until_its_version_changes(
    pm: User, member: User, project: Project
) -> None:
    cards = [CardFactory(project=project, title=f"Card {n}", position=n) for n in range(3)]
    client_for(pm).get(board_url(project))
    # Written behind the services' back (a data fix in a shell): the version stays.
    TaskCard.objects.filter(pk=cards[0].pk).update(title="Quietly renamed")
    services.card_update(actor=pm, card=cards[2], version=1, changes={"title": "Changed"})
    page = client_for(member).get(board_url(project)).content.decode()
    assert "Changed" in page
    assert "Card 0" in page
    assert "Quietly renamed" not in page


def test_a_card_edited_in_the_admin_shows_on_the_board_and_conflicts_with_open_editors(
    pm: User, card: TaskCard, admin: HttpClient
) -> None:
    http = client_for(pm)
    http.get(board_url(card.project))
    data = {
        "project": card.project_id,
        "title": "Fixed in the admin",
        "status": card.status,
        "position": card.position,
        "responsible": "team",
        "source": "team",
    }
    url = reverse("admin:projects_taskcard_change", args=[card.pk])
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Fixed in the admin" in http.get(board_url(card.project)).content.decode()
    edit = {
        "version": 1,
        "title": "Edited in an old panel",
        "status": "todo",
        "responsible": "team",
    }
    assert http.post(reverse("projects:card", args=[card.pk]), edit).status_code == 409


def test_cards_moved_or_deleted_and_projects_renamed_in_the_admin_show_at_once(
    pm: User, card: TaskCard, admin: HttpClient
) -> None:
    project, other = card.project, ProjectFactory(pm=pm)
    http = client_for(pm)

    def board(of: Project) -> str:
        return http.get(board_url(of)).content.decode()

    assert "Original title" in board(project)
    assert "Original title" not in board(other)
    data = {"project": other.pk, "title": "Original title", "status": "todo"}
    data |= {"position": 0, "responsible": "team", "source": "team"}
    url = reverse("admin:projects_taskcard_change", args=[card.pk])
    assert admin.post(url, data).status_code == 302
    assert "Original title" not in board(project)
    assert "Original title" in board(other)

    url = reverse("admin:projects_taskcard_changelist")
    deletion = {"action": "delete_selected", "_selected_action": [card.pk], "post": "yes"}
    assert admin.post(url, deletion).status_code == 302
    assert "Original title" not in board(other)

    url = reverse("admin:projects_project_change", args=[project.pk])
    form = admin.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {"name": "Renamed in the admin", "team": [user.pk for user in project.team.all()]}
    assert admin.post(url, data).status_code == 302
    assert "Renamed in the admin" in board(project)


def test_an_open_board_can_ask_whether_someone_changed_it(pm: User, card: TaskCard) -> None:
    http = client_for(pm)
    version_url = reverse("projects:board_version", args=[card.project.pk])
    before = http.get(version_url)
    assert before["Content-Type"].startswith("text/plain")
    assert "no-cache" in before["Cache-Control"]
    page = http.get(board_url(card.project)).content.decode()
    assert f'data-version="{before.content.decode()}"' in page
    _rename_card(card, pm)
    after = http.get(version_url).content.decode()
    assert after != before.content.decode()
    assert f'data-version="{after}"' in http.get(board_url(card.project)).content.decode()


def user_change(person: User, **changes: str) -> dict[str, str]:
    """The admin's user change form as posted, with `changes`."""
    joined = timezone.localtime(person.date_joined)
    data = {"email": person.email, "full_name": person.full_name, "role": person.role}
    data |= {"language": person.language, "time_zone": person.time_zone, "is_active": "on"}
    data |= {"date_joined_0": f"{joined:%Y-%m-%d}", "date_joined_1": f"{joined:%H:%M:%S}"}
    return data | changes


def assignee(name: str) -> str:
    return f'<span class="assignee">{name}</span>'


def test_clients_and_people_renamed_in_the_admin_show_on_boards_at_once(
    manager: User, pm: User, member: User, card: TaskCard, admin: HttpClient
) -> None:
    project = card.project
    TaskCard.objects.filter(pk=card.pk).update(assignee=member)
    former = UserFactory(full_name="Fay Former")  # off the team, still on a card
    CardFactory(project=project, assignee=former, title="Left behind")
    http = client_for(manager)

    def board() -> str:
        return http.get(board_url(project)).content.decode()

    assert assignee(str(member)) in board() and assignee("Fay Former") in board()

    url = reverse("admin:projects_client_change", args=[project.client_id])
    data = {"name": "Renamed Client Ltd", "time_zone": project.client.time_zone}
    data |= {"contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0"}
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert "Renamed Client Ltd" in board()

    for person, changes, shown in (
        (member, {"full_name": "Mona Renamed"}, assignee("Mona Renamed")),
        (former, {"full_name": "", "email": "fay@new.example"}, assignee("fay@new.example")),
        (pm, {"full_name": "Paul Renamed"}, ">Paul Renamed</option>"),
    ):
        old = str(person)
        url = reverse("admin:projects_user_change", args=[person.pk])
        response = admin.post(url, user_change(person, **changes))
        assert response.status_code == 302, response.context["adminform"].form.errors
        page = board()
        assert shown in page and old not in page


def test_a_milestone_renamed_in_the_admin_shows_in_the_boards_filter_at_once(
    pm: User, card: TaskCard, admin: HttpClient
) -> None:
    milestone = MilestoneFactory(phase=card.project.phases.first(), title="Beta")
    http = client_for(pm)
    http.get(board_url(card.project))
    assert ">Beta</option>" in http.get(board_url(card.project)).content.decode()
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    data = {"phase": milestone.phase_id, "title": "Release candidate", "status": "planned"}
    data |= {"due_date": f"{milestone.due_date:%Y-%m-%d}", "revision": 0}
    data |= {"criteria-TOTAL_FORMS": "0", "criteria-INITIAL_FORMS": "0"}
    response = admin.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    page = http.get(board_url(card.project)).content.decode()
    assert ">Release candidate</option>" in page and ">Beta</option>" not in page


def test_two_people_of_the_same_name_and_role_each_get_their_own_page(project: Project) -> None:
    twins = [UserFactory(full_name="Sam Lee", role=User.Role.MEMBER) for _ in range(2)]
    project.team.add(*twins)
    for number, twin in enumerate(twins):
        CardFactory(project=project, title=f"Only for {twin.email}", assignee=twin, position=number)
    for twin in twins:  # one after the other, the first page cached when the second comes
        page = client_for(twin).get(board_url(project) + "?mine=on").content.decode()
        other = next(t for t in twins if t != twin)
        assert f'title="{twin.email}"' in page
        assert f"Only for {twin.email}" in page
        assert other.email not in page


def test_a_card_due_today_turns_late_at_the_clients_midnight_within_the_cache_lifetime(
    pm: User, project: Project, settings: object
) -> None:
    # Eight hours ahead of UTC: at both moments below it is still the same day in UTC.
    project.client.time_zone = "Asia/Shanghai"
    project.client.save()
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    evening = datetime.datetime(2031, 3, 2, 23, 59, tzinfo=zone)
    assert settings.BOARD_CACHE_SECONDS > 120
    with time_machine.travel(evening, tick=False) as clock:
        CardFactory(project=project, title="Due today", due_date=datetime.date(2031, 3, 2))
        http = client_for(pm)
        assert 'class="due late"' not in http.get(board_url(project)).content.decode()
        clock.move_to(evening + datetime.timedelta(minutes=2))
        assert 'class="due late"' in http.get(board_url(project)).content.decode()


def test_a_cards_html_rendered_in_english_is_not_reused_in_chinese(
    pm: User, member: User, project: Project
) -> None:
    due = datetime.date(2031, 3, 2)
    CardFactory(project=project, title="Wireframes", due_date=due)
    # Django's own date formats: they differ whatever our catalogue holds.
    shown = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            shown[language] = date_format(due, "SHORT_DATE_FORMAT")
    assert shown["en"] != shown["zh-hans"]
    english = client_for(pm).get(board_url(project), HTTP_ACCEPT_LANGUAGE="en")
    chinese = client_for(member).get(board_url(project), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert shown["en"] in english.content.decode()
    assert shown["zh-hans"] in chinese.content.decode()
    assert shown["en"] not in chinese.content.decode()
