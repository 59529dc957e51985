from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from projects.forms import DateInput

from .models import AcceptanceCriterion, Deliverable, Milestone, Phase
from .uploads import content_type_of


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


def checked_upload(upload: UploadedFile, *, max_bytes: int, allowed: list[str]) -> UploadedFile:
    """The upload with the content type its bytes prove, or a ValidationError saying why not.
    Deliverables and clients' feedback attachments go through the same check."""
    if upload.size > max_bytes:
        raise forms.ValidationError(
            _("“%(name)s” is %(size)s; files can be at most %(limit)s."),
            params={
                "name": upload.name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(max_bytes),
            },
        )
    content_type = content_type_of(upload, name=upload.name, allowed=allowed)
    if content_type is None:
        raise forms.ValidationError(
            _(
                "“%(name)s” is not an accepted file: its content must be one of %(types)s, "
                "matching its extension."
            ),
            params={"name": upload.name, "types": ", ".join(allowed)},
        )
    upload.content_type = content_type
    return upload


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
