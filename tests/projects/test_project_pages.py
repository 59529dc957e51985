import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from milestones.models import Milestone, Phase
from projects.models import Activity, Project, TaskCard, User
from tests.milestones.factories import MilestoneFactory
from tests.projects.factories import CardFactory, ClientFactory, ProjectFactory, UserFactory
from tests.support import client_for


def names(response: object) -> set[str]:
    return {row.name for row in response.context["projects"]}


def test_list_filters_by_client_status_mine_and_late(manager: User, pm: User) -> None:
    acme = ClientFactory(name="Acme")
    ours = ProjectFactory(name="Ours", client=acme, pm=pm)
    ProjectFactory(name="Paused", status=Project.Status.ON_HOLD)
    late = ProjectFactory(name="Late one")
    MilestoneFactory(
        phase=late.phases.first(), due_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    http = client_for(manager)
    assert names(http.get(f"/projects/?client={acme.pk}")) == {"Ours"}
    assert names(http.get("/projects/?status=on_hold")) == {"Paused"}
    assert names(http.get("/projects/?late=on")) == {"Late one"}
    assert names(client_for(pm).get("/projects/?mine=on")) == {ours.name}
    assert names(http.get("/projects/?mine=on")) == set()


def test_list_filter_htmx_gets_the_rows_only(manager: User, project: Project) -> None:
    response = client_for(manager).get("/projects/?status=active", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="project-rows">')
    assert "Portal relaunch" in html


def project_data(client_id: int, pm_id: int, **changes: object) -> dict:
    return {
        "client": client_id,
        "name": "Data platform",
        "code": "data-platform",
        "pm": pm_id,
        "start_date": "2030-01-01",
        "end_date": "2030-12-31",
        "status": "active",
        "description": "",
    } | changes


def test_pm_creates_a_project_with_four_phases(pm: User, member: User) -> None:
    client = ClientFactory()
    data = project_data(client.pk, pm.pk, team=[member.pk])
    response = client_for(pm).post(reverse("projects:create"), data)
    project = Project.objects.get(code="data-platform")
    assert response.status_code == 302
    assert response.url == reverse("projects:detail", args=[project.pk])
    assert list(project.phases.values_list("kind", flat=True)) == Phase.Kind.values
    assert list(project.team.all()) == [member]
    assert Activity.objects.filter(project=project, verb="project.created").count() == 1


def test_project_with_end_before_start_is_refused_keeping_the_form(pm: User) -> None:
    client = ClientFactory()
    data = project_data(client.pk, pm.pk, end_date="2029-01-01")
    response = client_for(pm).post(reverse("projects:create"), data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "The end date cannot be before the start date." in html
    assert 'value="Data platform"' in html
    assert not Project.objects.filter(code="data-platform").exists()


def test_team_member_cannot_create_projects(member: User) -> None:
    data = project_data(ClientFactory().pk, member.pk)
    assert client_for(member).post(reverse("projects:create"), data).status_code == 403
    assert not Project.objects.exists()


def test_pm_edits_the_project_and_the_change_is_recorded_once(
    pm: User, member: User, project: Project
) -> None:
    other = UserFactory(role=User.Role.MEMBER)
    data = project_data(project.client_id, pm.pk, name="Relaunch 2", code=project.code)
    data |= {"team": [member.pk, other.pk], "status": "on_hold"}
    response = client_for(pm).post(reverse("projects:edit", args=[project.pk]), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.status) == ("Relaunch 2", "on_hold")
    assert set(project.team.all()) == {member, other}
    activity = Activity.objects.get(verb="project.updated")
    assert activity.summary == "Project details changed: name, start date, end date, status, team"


def test_team_member_cannot_edit_the_project(member: User, project: Project) -> None:
    data = project_data(project.client_id, project.pm_id, name="Hijacked", code=project.code)
    url = reverse("projects:edit", args=[project.pk])
    assert client_for(member).post(url, data).status_code == 403
    project.refresh_from_db()
    assert project.name == "Portal relaunch"


def test_team_member_of_another_project_gets_404(project: Project) -> None:
    outsider = client_for(UserFactory(role=User.Role.MEMBER))
    for name in ("projects:detail", "projects:edit", "projects:board"):
        assert outsider.get(reverse(name, args=[project.pk])).status_code == 404


def test_project_page_shows_header_timeline_milestones_and_activity(
    pm: User, project: Project
) -> None:
    phase = project.phases.get(kind=Phase.Kind.PROTOTYPE)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    MilestoneFactory(phase=phase, title="Late demo", due_date=yesterday)
    response = client_for(pm).get(reverse("projects:detail", args=[project.pk]))
    html = response.content.decode()
    assert response.context["header"].health == "late"
    assert "health-late" in html
    assert 'role="img"' in html and "milestone-mark late" in html
    assert "Late demo" in html
    assert "Project “Portal relaunch” created" in html


@pytest.mark.parametrize("count", [5, 50])
def test_project_page_query_count_does_not_grow_with_milestones(
    pm: User, project: Project, django_assert_max_num_queries, count: int
) -> None:
    phases = list(project.phases.all())
    Milestone.objects.bulk_create(
        Milestone(phase=phases[n % 4], title=f"M{n}", due_date=timezone.localdate())
        for n in range(count)
    )
    for number in range(count):
        CardFactory(project=project, milestone_id=None, title=f"C{number}")
    http = client_for(pm)
    with django_assert_max_num_queries(12):
        response = http.get(reverse("projects:detail", args=[project.pk]))
    assert len(response.context["timeline"].marks) == count


def checkbox_beside_label(html: str, name: str) -> bool:
    """The box and then its label, together in one field, not the box alone under the label."""
    pattern = (
        rf'<div class="field checkbox-field">\s*<input type="checkbox" name="{name}"[^>]*'
        rf'id="(?P<id>[^"]+)"[^>]*>\s*<label for="(?P=id)">'
    )
    return bool(re.search(pattern, html))


def test_checkboxes_sit_beside_their_labels_on_form_pages_and_in_the_card_panel(
    pm: User, project: Project
) -> None:
    http = client_for(pm)
    form = http.get(reverse("projects:edit", args=[project.pk])).content.decode()
    assert checkbox_beside_label(form, "mail_client_reports")
    assert ">Mail the weekly report to the client</label>" in form
    card = CardFactory(project=project)
    panel = http.get(reverse("projects:card", args=[card.pk]), HTTP_HX_REQUEST="true")
    html = panel.content.decode()
    assert checkbox_beside_label(html, "client_visible")
    # The help text is the one the box says it is described by.
    assert 'aria-describedby="card-client_visible_helptext"' in html
    assert 'id="card-client_visible_helptext"' in html


def test_the_card_panel_says_when_it_changed_without_a_double_period(
    pm: User, project: Project
) -> None:
    card = CardFactory(project=project)
    evening = datetime.datetime(2026, 12, 1, 21, 21, tzinfo=datetime.UTC)
    TaskCard.objects.filter(pk=card.pk).update(updated_at=evening)
    with timezone.override("UTC"):
        html = client_for(pm).get(reverse("projects:card", args=[card.pk])).content.decode()
    assert "Last changed 12/01/2026 9:21 p.m. (version 1)." in html
    assert "p.m.." not in html
