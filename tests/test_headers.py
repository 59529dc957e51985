"""What every answer tells browsers and caches, over every page the site has: htmx restoring its
history gets whole pages, answers chosen by HX-Request say so in Vary, what a logged-in person
sees stays private, and the Content-Security-Policy is on everything."""

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse

from projects.models import User
from tests.support import ProjectObjects, client_for
from tests.urlwalk import routes, url_with

HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = HTMX | {"HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
POLICY = "Content-Security-Policy"
PAGE = b"<!doctype html>"
# Sent as mail or rendered to PDF on the server, never served to a browser.
NOT_SERVED = ("emails/", "milestones/certificate.html")
INLINE = re.compile(r"style=|<style|<script(?![^>]*\bsrc=)|hx-on|\bjs:|\son[a-z]+=", re.I)


@dataclass
class Visit:
    url: str
    plain: HttpResponse
    htmx: HttpResponse | None = None
    restore: HttpResponse | None = None


def visits(project_objects: ProjectObjects, pm: User, client_contact: User) -> list[Visit]:
    """Every URL of the site as someone who may see it: the PM in the workspace, the contact
    in the portal. Each HTML page is fetched plainly, by htmx, and by htmx restoring history."""
    people = {"pm": client_for(pm), "contact": client_for(client_contact)}
    found = []
    for route in routes():
        url = url_with(route, {"uidb64": "MQ", "token": "x"} | project_objects.ids)
        http = people["contact" if route.name.startswith("portal:") else "pm"]
        visit = Visit(url, http.get(url))
        if visit.plain.get("Content-Type", "").startswith("text/html"):
            visit.htmx, visit.restore = http.get(url, **HTMX), http.get(url, **RESTORE)
        found.append(visit)
    return found


@pytest.fixture
def walk(project_objects: ProjectObjects, pm: User, client_contact: User) -> list[Visit]:
    return visits(project_objects, pm, client_contact)


def pages(walk: list[Visit]) -> list[Visit]:
    return [v for v in walk if v.plain.status_code == 200 and v.htmx and PAGE in v.plain.content]


def partials(walk: list[Visit]) -> list[Visit]:
    """The pages htmx swaps a part of."""
    return [v for v in pages(walk) if PAGE not in v.htmx.content]


def test_htmx_restoring_history_gets_the_whole_page_everywhere(walk: list[Visit]) -> None:
    assert len(pages(walk)) > 30
    assert len(partials(walk)) > 20
    for visit in pages(walk):
        assert visit.restore.status_code == 200, visit.url
        assert PAGE in visit.restore.content, visit.url


def test_answers_chosen_by_hx_request_vary_on_it(walk: list[Visit]) -> None:
    for visit in partials(walk):
        for response in (visit.plain, visit.htmx, visit.restore):
            assert "HX-Request" in response.get("Vary", ""), visit.url


def test_logged_in_answers_are_private_and_checked_again(walk: list[Visit]) -> None:
    for visit in walk:
        for response in filter(None, (visit.plain, visit.htmx, visit.restore)):
            cache_control = response.get("Cache-Control", "")
            assert "private" in cache_control, visit.url
            assert "no-cache" in cache_control or "no-store" in cache_control, visit.url


def test_every_answer_carries_the_content_security_policy(walk: list[Visit]) -> None:
    policy = "; ".join(
        f"{name} {' '.join(values)}"
        for name, values in settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].items()
    )
    assert "unsafe" not in policy
    assert "default-src 'self'" in policy
    statuses = set()
    for visit in walk:
        for response in filter(None, (visit.plain, visit.htmx, visit.restore)):
            statuses.add(response.status_code)
            assert response.has_header(POLICY), visit.url
            assert set(response[POLICY].split("; ")) == set(policy.split("; ")), visit.url
    assert {200, 302, 405} <= statuses


def test_the_board_page_cache_keeps_history_restores_apart_from_htmx_swaps(
    pm: User, project_objects: ProjectObjects
) -> None:
    url = reverse("projects:board", args=[project_objects.project.pk])
    http = client_for(pm)
    assert PAGE not in http.get(url, **HTMX).content  # the columns, now cached
    restored = http.get(url, **RESTORE)
    assert PAGE in restored.content
    assert "HX-Request" in restored["Vary"]
    assert PAGE not in http.get(url, **HTMX).content
    assert "HX-Request" in http.get(url).get("Vary", "")  # from the cache, too


def test_writes_answered_by_hx_request_vary_on_it(
    pm: User, project_objects: ProjectObjects
) -> None:
    url = reverse("projects:card_add", args=[project_objects.project.pk])
    http = client_for(pm)
    swapped = http.post(url, {"title": "By htmx", "status": "todo"}, **HTMX)
    redirected = http.post(url, {"title": "Without JavaScript", "status": "todo"})
    assert (swapped.status_code, redirected.status_code) == (204, 302)
    for response in (swapped, redirected):
        assert "HX-Request" in response["Vary"]


def test_downloads_keep_their_own_headers_and_stay_private(
    pm: User, project_objects: ProjectObjects
) -> None:
    response = client_for(pm).get(
        reverse("milestones:download", args=[project_objects.ids["version_id"]])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "HX-Request" not in response.get("Vary", "")


def test_a_never_cache_answer_keeps_its_stricter_header(
    pm: User, project_objects: ProjectObjects
) -> None:
    url = reverse("projects:board_version", args=[project_objects.project.pk])
    assert "no-store" in client_for(pm).get(url)["Cache-Control"]


def test_anonymous_answers_carry_the_policy_and_are_not_made_private(anonymous: HttpClient):
    response = anonymous.get(reverse("password_reset"))
    assert response.status_code == 200
    assert response.has_header(POLICY)
    assert "private" not in response.get("Cache-Control", "")


def test_no_served_template_has_inline_script_style_or_code_for_htmx_to_evaluate() -> None:
    root = settings.BASE_DIR / "templates"
    checked = 0
    for path in root.rglob("*.*"):
        name = path.relative_to(root).as_posix()
        if not name.startswith(NOT_SERVED):
            source = re.sub(r"{#.*?#}", "", path.read_text())
            assert not INLINE.search(source), name
            checked += 1
    assert checked > 40
