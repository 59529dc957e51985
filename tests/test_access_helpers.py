import pytest
from django.http import Http404
from django.test import RequestFactory

from clientprogress import access
from projects.models import User
from tests.projects.factories import UserFactory
from tests.support import ProjectObjects

WORKSPACE = {
    "card_id": access.card_for_user,
    "phase_id": access.phase_for_user,
    "milestone_id": access.milestone_for_user,
    "criterion_id": access.criterion_for_user,
    "deliverable_id": access.deliverable_for_user,
    "version_id": access.version_for_user,
    "signoff_id": access.signoff_for_user,
}
PORTAL = {
    "card_id": access.portal_card_for_user,
    "milestone_id": access.portal_milestone_for_user,
    "version_id": access.portal_version_for_user,
    "signoff_id": access.signoff_for_user,
}


def request_of(user: User) -> object:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_team_finds_every_object_of_its_project(member: User, project_objects: ProjectObjects):
    for key, helper in WORKSPACE.items():
        assert helper(request_of(member), project_objects.ids[key]).pk == project_objects.ids[key]


def test_client_finds_its_projects_visible_objects(client_contact, project_objects) -> None:
    for key, helper in PORTAL.items():
        found = helper(request_of(client_contact), project_objects.ids[key])
        assert found.pk == project_objects.ids[key]


@pytest.mark.parametrize("table", [WORKSPACE, PORTAL])
def test_outsiders_find_nothing(table, other_client_contact, project_objects) -> None:
    outsiders = [other_client_contact, UserFactory(role=User.Role.MEMBER)]
    for user in outsiders:
        for key, helper in table.items():
            with pytest.raises(Http404):
                helper(request_of(user), project_objects.ids[key])


def test_internal_cards_do_not_exist_in_the_portal(client_contact, project_objects) -> None:
    card = project_objects.project.cards.get(pk=project_objects.ids["card_id"])
    card.client_visible = False
    card.save()
    with pytest.raises(Http404):
        access.portal_card_for_user(request_of(client_contact), card.pk)
