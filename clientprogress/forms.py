from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.services import password_reset_queue


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


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
