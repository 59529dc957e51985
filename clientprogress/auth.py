"""How a login attempt names its account for the lockout."""

import unicodedata

from django.conf import settings
from django.http import HttpRequest


def lockout_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE. The user lookup ignores case and the forms strip spaces, so
    " PM@Example.com" and "pm@example.com" are one account: they must count as one for the
    lockout too, or each new spelling would get a fresh set of attempts."""
    # The same source axes itself reads: the authenticate() credentials, else the posted form.
    source = credentials or getattr(request, "data", request.POST)
    value = source.get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(value, str):
        return value
    # NFKC like Django's UsernameField (the admin login), casefold covers every letter case.
    return unicodedata.normalize("NFKC", value).strip().casefold()
