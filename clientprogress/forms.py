from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.services import password_reset_queue

from .limits import FIRST_DAY, LAST_DAY


class DateInput(forms.DateInput):
    """A date picker that offers only the days our fields accept (the server checks too)."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        bounds = {"min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
        super().__init__(attrs=bounds | (attrs or {}), format="%Y-%m-%d")


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail address and password do not match an active account."),
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Writes one outbox row for the address and nothing else: the worker looks the account up
    and writes the mail (with its link on SITE_URL), so a request for an address without an
    account takes the same time and work as one with."""

    def save(self, **options: object) -> None:
        password_reset_queue(email=self.cleaned_data["email"], language=get_language())
