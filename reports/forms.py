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

    def __init__(self, *args: object, may_publish: bool, **kwargs: object) -> None:
        """`may_publish`: whether the asker may publish to the client (clientprogress.access
        can_plan); the client version is offered to them only."""
        super().__init__(*args, **kwargs)
        if not may_publish:
            field = self.fields["audience"]
            field.choices = [(StatusReport.Audience.INTERNAL, StatusReport.Audience.INTERNAL.label)]
            field.help_text = ""
