import datetime

import pytest
import time_machine
from django.utils import timezone

from milestones.models import Milestone, Phase
from projects.models import Project, TaskCard, User
from tests.projects.factories import CardFactory, ProjectFactory, UserFactory
from tests.support import client_for


def test_pm_sees_own_projects_and_not_others(pm: User, project: Project) -> None:
    ProjectFactory(name="Someone else's project")
    response = client_for(pm).get("/projects/")
    assert response.status_code == 200
    names = [row.name for row in response.context["projects"]]
    assert names == ["Portal relaunch"]


def test_team_member_sees_the_projects_they_are_on(member: User, project: Project) -> None:
    ProjectFactory(name="Not on this one")
    names = [row.name for row in client_for(member).get("/projects/").context["projects"]]
    assert names == ["Portal relaunch"]


def test_manager_sees_every_project(manager: User, project: Project) -> None:
    ProjectFactory(name="Another client's project")
    rows = client_for(manager).get("/projects/").context["projects"]
    assert {row.name for row in rows} == {"Portal relaunch", "Another client's project"}


def test_list_shows_progress_phase_next_milestone_and_counts(pm: User, project: Project) -> None:
    today = timezone.localdate()
    phase = project.phases.get(kind=Phase.Kind.DEV_TEST)
    Milestone.objects.create(phase=phase, title="Beta", due_date=today + datetime.timedelta(3))
    CardFactory(project=project, status=TaskCard.Status.DONE)
    CardFactory(project=project, due_date=today - datetime.timedelta(days=2))
    CardFactory(project=project, responsible=TaskCard.Responsible.CLIENT)
    CardFactory(
        project=project, status=TaskCard.Status.DONE, due_date=today - datetime.timedelta(9)
    )
    response = client_for(pm).get("/projects/")
    row = response.context["projects"][0]
    assert (row.progress, row.overdue_count, row.waiting_on_client) == (50, 1, 1)
    assert row.current_phase_label == "Development & testing"
    assert row.next_milestone_title == "Beta"
    assert b"Beta" in response.content


@pytest.mark.parametrize("count", [20, 200])
def test_project_list_query_count_does_not_grow_with_projects(
    manager: User, django_assert_max_num_queries, count: int
) -> None:
    pm = UserFactory(role=User.Role.PM)
    for number in range(count):
        project = ProjectFactory(pm=pm)
        if number % 10 == 0:
            CardFactory(project=project)
    http = client_for(manager)
    # Session, user, the clients for the filter, the clients' time zones, the rows.
    with django_assert_max_num_queries(5):
        response = http.get("/projects/")
    assert len(response.context["projects"]) == count


def test_overdue_and_late_count_from_the_clients_own_date(pm: User, project: Project) -> None:
    """At 20:00 UTC on 2 March it is already 3 March in Auckland: what was due on 2 March is
    late there, as the board and the portal show it, though the site's date is still 2 March."""
    project.client.time_zone = "Pacific/Auckland"
    project.client.save()
    phase = project.phases.get(kind=Phase.Kind.PROTOTYPE)
    Milestone.objects.create(phase=phase, title="Beta", due_date=datetime.date(2031, 3, 2))
    CardFactory(project=project, due_date=datetime.date(2031, 3, 2))
    with time_machine.travel(datetime.datetime(2031, 3, 2, 20, tzinfo=datetime.UTC)):
        row = client_for(pm).get("/projects/").context["projects"][0]
    assert (row.overdue_count, row.late_milestones, row.next_milestone_late) == (1, 1, True)
    assert row.health == "late"


def test_portal_home_lists_only_the_contacts_organisation(
    client_contact: User, project: Project
) -> None:
    ProjectFactory(name="Globex secret project")
    response = client_for(client_contact).get("/portal/")
    assert response.status_code == 200
    assert b"Portal relaunch" in response.content
    assert b"Globex secret project" not in response.content
