"""The language a person is written to in: pages, mails and reports agree on it."""

from django.conf import settings


def offered_language(code: str) -> str:
    """`code` when we offer it; the site's language when the person never chose one or chose
    one we no longer offer (a language must not half-apply: Django's words in it, ours not)."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
