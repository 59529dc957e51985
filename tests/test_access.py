"""Default-deny and isolation, over every URL pattern the site has (new ones included)."""

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.urls import reverse

from projects.models import User
from tests.conftest import ProjectObjects, client_for
from tests.projects.factories import UserFactory
from tests.urlwalk import routes, url_with

# Reachable without logging in; everything else must send an anonymous visitor to log in.
ANONYMOUS_ALLOWED = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "invitation_accept",
}
DUMMY = {"uidb64": "MQ", "token": "set-password"}


def with_policy(response: HttpResponse, url: str) -> HttpResponse:
    """Every answer the walk gets, refusals included, carries the Content-Security-Policy."""
    assert response.has_header("Content-Security-Policy"), url
    return response


def snapshot() -> dict[str, list[dict]]:
    """Every row of the product's own tables."""
    labels = {"projects", "milestones", "notifications", "reports"}
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in labels
    }


def test_every_page_outside_the_allow_list_sends_anonymous_visitors_to_login(
    anonymous, project_objects: ProjectObjects
) -> None:
    checked = 0
    for route in routes():
        url = url_with(route, DUMMY | project_objects.ids)
        for method in ("get", "post"):
            response = with_policy(getattr(anonymous, method)(url), url)
            if route.name in ANONYMOUS_ALLOWED:
                assert response.status_code != 302 or "/accounts/login/" not in response.url
            else:
                assert response.status_code == 302, f"{method.upper()} {url}"
                assert response.url.startswith(reverse("login")), url
            checked += 1
    assert checked > 10


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
        assert with_policy(http.get(url), url).status_code == 404, f"GET {url}"
        # 405 answers the method, whatever the object: it tells an outsider nothing either.
        response = with_policy(http.post(url, {"title": "x"}), url)
        assert response.status_code in (404, 405), f"POST {url}"
    assert snapshot() == before


def test_client_contact_gets_404_on_every_workspace_page(
    client_contact: User, project_objects: ProjectObjects
) -> None:
    http = client_for(client_contact)
    workspace = [route for route in routes() if route.name.startswith("projects:")]
    assert workspace
    before = snapshot()
    for route in workspace:
        url = url_with(route, project_objects.ids)
        assert with_policy(http.get(url), url).status_code == 404, url
        assert with_policy(http.post(url, {"title": "x"}), url).status_code in (404, 405), url
    assert snapshot() == before


def test_internal_users_get_404_in_the_portal(pm: User, project_objects: ProjectObjects) -> None:
    http = client_for(pm)
    for route in routes():
        if route.name.startswith("portal:"):
            url = url_with(route, project_objects.ids)
            assert with_policy(http.get(url), url).status_code == 404


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
