"""The reader's language and time zone, for every request of a signed-in person."""

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from projects.models import User

from .languages import offered_language


def reader_language(user: User) -> str | None:
    """The language the person chose; None when they never chose, and their browser's is used.
    A stored language we no longer offer reads as the site's."""
    return offered_language(user.language) if user.language else None


def reader_time_zone(user: User) -> zoneinfo.ZoneInfo:
    """The person's zone; the site's when the stored name is not in this machine's zone
    database (a zone renamed or removed by a tzdata update must not break every page)."""
    try:
        return zoneinfo.ZoneInfo(user.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


class ReaderLocaleMiddleware:
    """After AuthenticationMiddleware: LocaleMiddleware has chosen from the browser (cookie,
    Accept-Language), which anonymous pages keep; a signed-in person's own choice wins."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return self.get_response(request)
        if language := reader_language(user):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        # Restored afterwards: the next request this thread serves may be someone else's.
        with timezone.override(reader_time_zone(user)):
            return self.get_response(request)
