from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from clientprogress.forms import DateInput
from clientprogress.limits import SHORT_TEXT, validate_day
from milestones.models import Milestone
from projects.models import Client, Project, TaskCard, User


def internal_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).exclude(role=User.Role.CLIENT)


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "client",
            "name",
            "code",
            "pm",
            "team",
            "start_date",
            "end_date",
            "status",
            "description",
            "mail_client_reports",
        ]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "team": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        people = internal_users()
        self.fields["pm"].queryset = people.filter(role__in=[User.Role.PM, User.Role.MANAGER])
        self.fields["team"].queryset = people

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        return cleaned


class ProjectFilterForm(forms.Form):
    client = forms.ModelChoiceField(
        label=_("Client"), queryset=Client.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Project.Status.choices], required=False
    )
    mine = forms.BooleanField(label=_("Mine"), required=False)
    late = forms.BooleanField(label=_("Late"), required=False)

    def __init__(self, *args: object, clients: list[Client], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(pk__in=[c.pk for c in clients])
        self.fields["client"].choices = [("", _("All")), *((c.pk, c.name) for c in clients)]


class VersionedForm(forms.Form):
    """The card version the person saw; a save based on an older one is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CardForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = TaskCard
        fields = [
            "title",
            "description",
            "status",
            "assignee",
            "due_date",
            "milestone",
            "responsible",
            "client_visible",
            "blocked_reason",
        ]
        widgets = {
            "due_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "blocked_reason": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "blocked_reason": _("Required when the card is Blocked."),
            "client_visible": _("Cards the client owes are always shown to the client."),
        }

    def __init__(
        self, *args: object, people: list[User], milestones: list[Milestone], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.filter(pk__in=[p.pk for p in people])
        self.fields["assignee"].choices = [("", "—"), *((p.pk, str(p)) for p in people)]
        self.fields["milestone"].queryset = Milestone.objects.filter(
            pk__in=[m.pk for m in milestones]
        )
        self.fields["milestone"].choices = [("", "—"), *((m.pk, m.title) for m in milestones)]

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        # What the client owes must reach the portal's "waiting on you" and its reminders.
        if cleaned.get("responsible") == TaskCard.Responsible.CLIENT:
            cleaned["client_visible"] = True
        return cleaned

    def changes(self) -> dict[str, object]:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class CardDueForm(VersionedForm):
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        validators=[validate_day],
        widget=DateInput(attrs={"aria-label": _("Due date")}),
    )


class QuickAddForm(forms.Form):
    title = forms.CharField(label=_("New card"), max_length=200)
    # A blocked card needs its reason, which quick-add does not ask for.
    status = forms.ChoiceField(
        label=_("Column"),
        choices=[c for c in TaskCard.Status.choices if c[0] != TaskCard.Status.BLOCKED],
        initial=TaskCard.Status.TODO,
    )


class CardMoveForm(VersionedForm):
    status = forms.ChoiceField(label=_("Column"), choices=TaskCard.Status.choices)
    position = forms.IntegerField(
        label=_("Position in the column"),
        min_value=1,
        required=False,
        help_text=_("1 is the top; leave empty for the bottom."),
    )
    after = forms.IntegerField(widget=forms.HiddenInput, required=False)
    blocked_reason = forms.CharField(
        label=_("Blocked reason"),
        required=False,
        max_length=SHORT_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when moving the card to Blocked."),
    )


class BoardFilterForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False)
    milestone = forms.TypedChoiceField(label=_("Milestone"), coerce=int, required=False)
    responsible = forms.ChoiceField(
        label=_("Responsible"),
        choices=[("", _("Anyone")), *TaskCard.Responsible.choices],
        required=False,
    )
    late = forms.BooleanField(label=_("Late"), required=False)
    mine = forms.BooleanField(label=_("Mine"), required=False)

    def __init__(
        self, *args: object, people: list[User], milestones: list[Milestone], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [("", _("Anyone")), *((p.pk, str(p)) for p in people)]
        self.fields["milestone"].choices = [("", _("Any")), *((m.pk, m.title) for m in milestones)]
