import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template import loader
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from projects.models import User

from .tasks import send_account_email


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
    """Renders the reset mail in the request and sends it from a worker after commit."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict,
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        transaction.on_commit(
            lambda: send_account_email.delay(subject=subject, body=body, to=[to_email], html=html)
        )


# Where our users and their clients are, first in the list; every other zone follows.
COMMON_TIME_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)
# The zones people look for by their city; the database's old aliases (PRC, US/Eastern, Etc/…)
# are left out of the list, though one already stored stays selectable.
TIME_ZONE_REGIONS = (
    "Africa/",
    "America/",
    "Antarctica/",
    "Asia/",
    "Atlantic/",
    "Australia/",
    "Europe/",
    "Indian/",
    "Pacific/",
)


@functools.cache
def known_time_zones() -> frozenset[str]:
    """Read from the zone database once per process, not at each page."""
    return frozenset(zoneinfo.available_timezones())


def time_zone_choices(current: str) -> list[tuple[str, list[tuple[str, str]]]]:
    zones = known_time_zones()
    common = [zone for zone in COMMON_TIME_ZONES if zone in zones]
    others = {zone for zone in zones if zone.startswith(TIME_ZONE_REGIONS)} - set(common)
    if current in zones and current not in common:
        others.add(current)
    return [
        (_("Common time zones"), [(zone, zone) for zone in common]),
        (_("Other time zones"), [(zone, zone) for zone in sorted(others)]),
    ]


class ProfileForm(forms.Form):
    """A plain form, not a ModelForm: a refused one must not change the user the page's header
    is rendered from."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        error_messages={"required": _("Enter your name.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Every page shows times in this zone.")
    )

    def __init__(self, data: dict | None = None, *, user: User) -> None:
        initial = {
            "full_name": user.full_name,
            # The language the page is read in: the person's choice, or (never chosen, or no
            # longer offered) the one the browser or the site gave them.
            "language": get_language(),
            "time_zone": user.time_zone,
        }
        super().__init__(data, initial=initial)
        self.fields["time_zone"].choices = time_zone_choices(user.time_zone)
