import functools
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from notifications.services import password_reset_queue
from projects.models import User

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
