"""bench/board.py's gunicorn application: the site as it is, plus one bare Django view that
returns a stored copy of a board page from memory, the limit to compare the board against."""

import os
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import clear_url_caches, path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientprogress.settings")
application = get_wsgi_application()

from clientprogress import urls  # noqa: E402

PAGES = Path(os.environ.get("BENCH_PAGES", "/tmp/bench-board"))
_pages: dict[int, bytes] = {}


@login_not_required
def bare(request: HttpRequest, cards: int) -> HttpResponse:
    if cards not in _pages:
        _pages[cards] = (PAGES / f"board-{cards}.html").read_bytes()
    return HttpResponse(_pages[cards], content_type="text/html; charset=utf-8")


urls.urlpatterns.insert(0, path("bench/bare/<int:cards>/", bare))
clear_url_caches()
