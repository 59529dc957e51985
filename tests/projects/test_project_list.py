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
    assert row.current_phase_label == "Prototype"  # today is within its planned dates
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


D = datetime.date


def planned(pm: User) -> Project:
    """A project whose phases run 1-15 March, 20 March-15 April (a gap before it), 16 April-10
    June and 11-30 June 2031."""
    project = ProjectFactory(pm=pm, start_date=D(2031, 3, 1), end_date=D(2031, 6, 30))
    spans = {
        Phase.Kind.REQUIREMENTS: (D(2031, 3, 1), D(2031, 3, 15)),
        Phase.Kind.PROTOTYPE: (D(2031, 3, 20), D(2031, 4, 15)),
        Phase.Kind.DEV_TEST: (D(2031, 4, 16), D(2031, 6, 10)),
        Phase.Kind.ACCEPTANCE: (D(2031, 6, 11), D(2031, 6, 30)),
    }
    for kind, (start, end) in spans.items():
        project.phases.filter(kind=kind).update(planned_start=start, planned_end=end)
    return project


def milestone_in(project: Project, kind: str, *, approved: bool) -> Milestone:
    return Milestone.objects.create(
        phase=project.phases.get(kind=kind),
        title=f"{kind} milestone",
        due_date=D(2031, 3, 10),
        status=Milestone.Status.APPROVED if approved else Milestone.Status.IN_PROGRESS,
        approved_at=timezone.now() if approved else None,
    )


def current_phase(user: User, when: datetime.datetime) -> str:
    with time_machine.travel(when):
        return client_for(user).get("/projects/").context["projects"][0].current_phase_label


def noon(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2031, month, day, 12, tzinfo=datetime.UTC)


def test_the_current_phase_is_the_one_whose_dates_hold_today(pm: User) -> None:
    """The walkthrough's project: in Requirements by its dates, with no milestone open (the one
    it has, in the last phase, approved early) — not in Acceptance & delivery."""
    project = planned(pm)
    milestone_in(project, Phase.Kind.ACCEPTANCE, approved=True)
    assert current_phase(pm, noon(3, 10)) == "Requirements"
    assert current_phase(pm, noon(5, 2)) == "Development & testing"


def test_between_phases_the_current_one_is_the_first_unfinished(pm: User) -> None:
    project = planned(pm)
    milestone_in(project, Phase.Kind.REQUIREMENTS, approved=True)
    # 17 March lies between Requirements (its milestone approved) and Prototype.
    assert current_phase(pm, noon(3, 17)) == "Prototype"
    late = milestone_in(project, Phase.Kind.REQUIREMENTS, approved=False)
    assert current_phase(pm, noon(3, 17)) == "Requirements"  # still open, and late
    late.delete()
    # After the end: Prototype (no milestone, its end passed) is finished, Dev/test is not.
    open_one = milestone_in(project, Phase.Kind.DEV_TEST, approved=False)
    assert current_phase(pm, noon(7, 5)) == "Development & testing"
    Milestone.objects.filter(pk=open_one.pk).update(status="approved", approved_at=noon(7, 1))
    assert current_phase(pm, noon(7, 5)) == "Acceptance & delivery"


def test_before_the_start_the_project_is_in_requirements(pm: User) -> None:
    project = planned(pm)
    milestone_in(project, Phase.Kind.PROTOTYPE, approved=False)
    assert current_phase(pm, noon(2, 20)) == "Requirements"


def test_the_current_phase_follows_the_clients_time_zone(pm: User) -> None:
    """At noon UTC on 15 March, the last day of Requirements, it is already 16 March in
    Auckland: Requirements (its milestone approved) is over there, and Prototype comes next."""
    project = planned(pm)
    milestone_in(project, Phase.Kind.REQUIREMENTS, approved=True)
    assert current_phase(pm, noon(3, 15)) == "Requirements"  # Berlin: still the 15th
    project.client.time_zone = "Pacific/Auckland"
    project.client.save()
    assert current_phase(pm, noon(3, 15)) == "Prototype"


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
