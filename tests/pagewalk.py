"""The pages a person can reach: a walk that follows the links of every page from their start
page, the way a person clicking around would, so that new pages join the walk by being linked."""

import io
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import Resolver404, resolve

from projects.models import User

from .support import client_for

DEMO_PASSWORD = "demo-pass-2026"
# Not pages: files, the admin, switching language, leaving.
SKIPPED_PREFIXES = ("/static/", "/media/", "/admin/", "/i18n/", "/accounts/logout/")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def _links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def _route_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def reachable_pages(user: User, *, per_route: int = 2) -> dict[str, str]:
    """Path → HTML of every HTML page the user reaches by following links from "/", at most
    `per_route` paths of each URL pattern (two cards' pages say what a hundred would)."""
    http = client_for(user)
    start = http.get("/", follow=True)
    first = start.redirect_chain[-1][0] if start.redirect_chain else "/"
    queue, seen, pages, taken = [first], {first}, {}, {}
    while queue:
        path = queue.pop(0)
        response = http.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[path] = html
        for href in _links(html):
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue
            if link in seen or link.startswith(SKIPPED_PREFIXES):
                continue
            route = _route_of(parts.path)
            if route is None or taken.get(route, 0) >= per_route:
                continue
            seen.add(link)
            taken[route] = taken.get(route, 0) + 1
            queue.append(link)
    return pages


def demo_people() -> dict[str, User]:
    """The demo data (`seed_demo`), and one person of each kind in it."""
    call_command("seed_demo", "--force", stdout=io.StringIO())
    return {
        "pm": User.objects.get(email="pm@example.com"),
        "member": User.objects.get(email="dev@example.com"),
        "manager": User.objects.get(email="manager@example.com"),
        "client": User.objects.get(email="client@acme.example"),
    }


def htmx_client(user: User) -> HttpClient:
    """A client whose requests say they come from htmx: the partials a page swaps in."""
    http = client_for(user)
    http.defaults["HTTP_HX_REQUEST"] = "true"
    return http
