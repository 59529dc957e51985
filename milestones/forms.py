from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from clientprogress.files import checked_upload
from clientprogress.forms import DateInput

from .models import AcceptanceCriterion, Deliverable, Milestone, Phase


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["planned_start", "planned_end"]
        widgets = {"planned_start": DateInput(), "planned_end": DateInput()}

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("planned_start"), cleaned.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The phase cannot end before it starts."))
        return cleaned


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "description", "due_date", "requires_signoff"]
        widgets = {"due_date": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        # The client reads it on the sign-off page; internal checks go in acceptance criteria.
        help_texts = {"description": _("Shown to the client when they sign off.")}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = AcceptanceCriterion
        fields = ["text"]


class CriterionMetForm(forms.Form):
    met = forms.BooleanField(label=_("Met"), required=False)


def checked_deliverable(upload: UploadedFile) -> UploadedFile:
    return checked_upload(
        upload,
        max_bytes=settings.DELIVERABLE_MAX_UPLOAD_BYTES,
        allowed=settings.DELIVERABLE_ALLOWED_TYPES,
    )


class VersionUploadForm(forms.Form):
    file = forms.FileField(label=_("File"), max_length=255)

    def clean_file(self) -> UploadedFile:
        return checked_deliverable(self.cleaned_data["file"])


class DeliverableForm(forms.ModelForm):
    """A new deliverable, optionally with its first file."""

    file = forms.FileField(label=_("File"), max_length=255, required=False)

    class Meta:
        model = Deliverable
        fields = ["title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean_file(self) -> UploadedFile | None:
        upload = self.cleaned_data["file"]
        return checked_deliverable(upload) if upload else None
