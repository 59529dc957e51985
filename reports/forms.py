from django import forms
from django.utils.translation import gettext_lazy as _

from .models import StatusReport


class GenerateReportForm(forms.Form):
    audience = forms.ChoiceField(
        label=_("Version"),
        choices=StatusReport.Audience.choices,
        initial=StatusReport.Audience.INTERNAL,
        error_messages={"required": _("Choose which version of the report to generate.")},
        help_text=_("The client version is published in the client's portal."),
    )
