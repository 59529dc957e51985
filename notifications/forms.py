from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Notification

EMAIL, IN_APP = "email", "app"
DELIVERY_CHOICES = [(EMAIL, _("E-mail at once")), (IN_APP, _("In the app only"))]


class PreferencesForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args: object, by_email: dict[str, bool], **kwargs: object) -> None:
        initial = {kind: EMAIL if choice else IN_APP for kind, choice in by_email.items()}
        super().__init__(*args, initial=initial, **kwargs)
        for kind, label in Notification.Kind.choices:
            self.fields[kind] = forms.ChoiceField(
                label=label, choices=DELIVERY_CHOICES, widget=forms.RadioSelect
            )

    def by_email(self) -> dict[str, bool]:
        return {kind: choice == EMAIL for kind, choice in self.cleaned_data.items()}
