"""Default-deny and isolation, over every URL pattern the site has (new ones included)."""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from projects.models import User
from tests.projects.factories import UserFactory
from tests.support import ProjectObjects, client_for
from tests.urlwalk import (
    DUMMY,
    is_personal,
    is_portal,
    is_shared,
    is_workspace,
    routes,
    snapshot,
    url_with,
)

# Reachable without logging in; everything else must send an anonymous visitor to log in.
ANONYMOUS_ALLOWED = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "invitation_accept",
    "set_language",
}


def with_policy(response: HttpResponse, url: str) -> HttpResponse:
    """Every answer the walks get, refusals included, carries the Content-Security-Policy."""
    assert response.has_header("Content-Security-Policy"), url
    return response


# Named here so that a walk whose filter lost them (or matches nothing) fails.
PORTAL_PAGES = {
    "portal:home",
    "portal:project",
    "portal:feedback",
    "portal:card_done",
    "portal:card_undo_done",
    "portal:card_attachment",
    "portal:version_download",
    "portal:signoff",
    "reports:portal_download",
}
WORKSPACE_PAGES = {
    "projects:list",
    "projects:detail",
    "projects:board",
    "projects:card",
    "projects:card_archive",
    "projects:card_unarchive",
    "milestones:phase_edit",
    "milestones:milestone_add",
    "milestones:milestone",
    "milestones:milestone_edit",
    "milestones:criterion_add",
    "milestones:criterion_met",
    "milestones:criterion_delete",
    "milestones:criterion_restore",
    "milestones:deliverable_add",
    "milestones:deliverable_delete",
    "milestones:deliverable_restore",
    "milestones:upload",
    "milestones:download",
    "milestones:submit",
    "milestones:complete",
    "milestones:signoff_ledger",
    "invitation_send",
    "reports:archive",
    "reports:project",
    "reports:download",
}
PERSONAL_PAGES = {"profile", "password_change", "password_change_done"}


def test_every_page_outside_the_allow_list_sends_anonymous_visitors_to_login(
    anonymous, project_objects: ProjectObjects
) -> None:
    checked = set()
    for route in routes():
        url = url_with(route, DUMMY | project_objects.ids)
        for method in ("get", "post"):
            response = with_policy(getattr(anonymous, method)(url), url)
            if route.name in ANONYMOUS_ALLOWED:
                assert response.status_code != 302 or "/accounts/login/" not in response.url
            else:
                assert response.status_code == 302, f"{method.upper()} {url}"
                assert response.url.startswith(reverse("login")), url
        checked.add(route.name)
    assert len(checked) > 10
    assert (ANONYMOUS_ALLOWED | PERSONAL_PAGES) - checked == set()


def test_admin_sends_anonymous_visitors_to_its_login(anonymous) -> None:
    response = with_policy(anonymous.get(reverse("admin:index")), "admin:index")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("outsider", ["other_client_contact", "member_of_another_project"])
def test_outsiders_get_404_on_every_object_url_and_change_nothing(
    request, outsider: str, project_objects: ProjectObjects
) -> None:
    if outsider == "member_of_another_project":
        user = UserFactory(role=User.Role.MEMBER)
    else:
        user = request.getfixturevalue(outsider)
    http = client_for(user)
    before = snapshot()
    object_routes = [route for route in routes() if route.kwargs & project_objects.ids.keys()]
    assert object_routes
    for route in object_routes:
        url = url_with(route, DUMMY | project_objects.ids)
        assert with_policy(with_policy(http.get(url), url), url).status_code == 404, f"GET {url}"
        # 405 answers the method, whatever the object: it tells an outsider nothing either.
        response = with_policy(with_policy(http.post(url, {"title": "x"}), url), url)
        assert response.status_code in (404, 405), f"POST {url}"
    assert snapshot() == before


def test_the_sides_of_the_site_are_told_apart() -> None:
    names = {route.name: route for route in routes()}
    assert PORTAL_PAGES - {name for name, route in names.items() if is_portal(route)} == set()
    assert WORKSPACE_PAGES - {n for n, route in names.items() if is_workspace(route)} == set()
    assert {name for name, route in names.items() if is_shared(route)} == {
        "milestones:signoff_certificate"
    }
    assert {name for name, route in names.items() if is_personal(route)} == PERSONAL_PAGES
    assert not any(is_workspace(route) for route in names.values() if is_portal(route))


def test_a_client_contact_opens_every_portal_page_and_gets_404_on_every_workspace_page(
    client_contact: User, project_objects: ProjectObjects
) -> None:
    """With the ids of their own project: the portal's pages and files, and the certificate of
    their organisation's sign-off, open; every workspace page (milestones' too) is 404."""
    http = client_for(client_contact)
    portal, shared, workspace = [], [], []
    before = snapshot()
    for route in routes():
        url = url_with(route, DUMMY | project_objects.ids)
        if is_portal(route) or is_shared(route):
            response = with_policy(http.get(url), url)
            # A page, a file, or a form's own address, which sends them to the form's page.
            assert response.status_code in (200, 302), f"GET {url}"
            if response.status_code == 302:
                assert response.url.startswith(reverse("portal:home")), f"GET {url}"
            (portal if is_portal(route) else shared).append(route.name)
        elif is_workspace(route):
            assert with_policy(http.get(url), url).status_code == 404, f"GET {url}"
            assert with_policy(http.post(url, {"title": "x"}), url).status_code in (404, 405), (
                f"POST {url}"
            )
            workspace.append(route.name)
    assert snapshot() == before
    assert PORTAL_PAGES - set(portal) == set()
    assert shared == ["milestones:signoff_certificate"]
    assert WORKSPACE_PAGES - set(workspace) == set()


@pytest.mark.parametrize("persona", ["manager", "pm", "member"])
def test_internal_users_get_404_in_the_portal(
    request, persona: str, project_objects: ProjectObjects
) -> None:
    http = client_for(request.getfixturevalue(persona))
    visited = set()
    before = snapshot()
    for route in routes():
        if is_portal(route):
            url = url_with(route, project_objects.ids)
            assert with_policy(http.get(url), url).status_code == 404, f"GET {url}"
            assert with_policy(http.post(url, {"text": "x"}), url).status_code in (404, 405), (
                f"POST {url}"
            )
            visited.add(route.name)
    assert snapshot() == before
    assert PORTAL_PAGES - visited == set()


@pytest.mark.parametrize("persona", ["manager", "pm", "member", "client_contact"])
def test_everyone_signed_in_opens_their_own_pages_in_the_site_layout(
    db: None, request, persona: str
) -> None:
    http = client_for(request.getfixturevalue(persona))
    opened = set()
    for route in routes():
        if is_personal(route):
            response = http.get(url_with(route, {}))
            assert response.status_code == 200, route.name
            assert "· Client Progress</title>" in response.content.decode(), route.name
            opened.add(route.name)
    assert opened == PERSONAL_PAGES


@pytest.mark.parametrize(
    ("persona", "landing"),
    [
        ("manager", "/projects/"),
        ("pm", "/projects/"),
        ("member", "/projects/"),
        ("client_contact", "/portal/"),
    ],
)
def test_each_role_lands_on_its_own_home(request, persona: str, landing: str) -> None:
    response = client_for(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 302
    assert response.url == landing
