from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from clientprogress.files import checked_upload
from clientprogress.limits import LONG_TEXT
from milestones.models import Milestone, SignOff
from milestones.signoff import signoff_name_problem
from projects.models import Project, User


class SignOffForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            (SignOff.Decision.APPROVED, _("Approve")),
            (SignOff.Decision.CHANGES_REQUESTED, _("Request changes")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        # The comment becomes the description of the card that asks for the changes.
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Required when you request changes: say what needs to change."),
    )
    typed_name = forms.CharField(
        max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    # What the page showed, so that a decision never covers files or text the signer did not see.
    revision = forms.IntegerField(widget=forms.HiddenInput)
    milestone_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    manifest_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)
    consent_sha256 = forms.CharField(max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: object, signer: User, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.signer = signer
        # Set when the signer has no full name to sign with: the page says so instead.
        self.cannot_sign = signoff_name_problem(signer=signer, typed_name=signer.full_name)
        name = {"name": signer.full_name.strip()}
        field = self.fields["typed_name"]
        field.label = _("Type your full name, %(name)s, to sign") % name
        field.error_messages["required"] = _("Type your full name, %(name)s, to sign.") % name

    def clean_typed_name(self) -> str:
        typed = self.cleaned_data["typed_name"]
        problem = signoff_name_problem(signer=self.signer, typed_name=typed)
        if problem:
            raise forms.ValidationError(problem)
        return typed

    def clean(self) -> dict:
        data = super().clean()
        wants_changes = data.get("decision") == SignOff.Decision.CHANGES_REQUESTED
        if wants_changes and not data.get("comment", "").strip():
            self.add_error("comment", _("Say what needs to change."))
        return data


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=_("Your feedback"), max_length=LONG_TEXT, widget=forms.Textarea(attrs={"rows": 4})
    )
    milestone = forms.ModelChoiceField(
        label=_("About the milestone"),
        queryset=Milestone.objects.none(),
        required=False,
        empty_label=_("(the project in general)"),
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args: object, project: Project, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        milestones = Milestone.objects.filter(phase__project=project)
        self.fields["milestone"].queryset = milestones.order_by("phase__order", "due_date", "pk")
        self.fields["attachment"].help_text = _("Up to %(size)s: %(types)s.") % {
            "size": filesizeformat(settings.PORTAL_ATTACHMENT_MAX_MB * 1024 * 1024),
            "types": ", ".join(settings.PORTAL_ATTACHMENT_EXTENSIONS),
        }

    def clean_attachment(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        return checked_upload(
            upload,
            max_bytes=settings.PORTAL_ATTACHMENT_MAX_MB * 1024 * 1024,
            allowed=settings.PORTAL_ATTACHMENT_EXTENSIONS,
        )


class InvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail address"), max_length=User._meta.get_field("email").max_length
    )
