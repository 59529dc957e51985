from django.contrib import admin
from django.db.models import Field, QuerySet
from django.forms import ModelChoiceField, ModelForm
from django.http import HttpRequest

from projects.services import project_lock, projects_lock

from .models import (
    AcceptanceCriterion,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Phase,
    SignOff,
)


class FrozenUnderSignature:
    """The admin saves rows as they are, without reopening a submitted or approved milestone
    the way the workspace does: there, what such a milestone holds is read-only, and nothing is
    added to it."""

    frozen: tuple[str, ...] = ()

    def _milestone(self, obj: object) -> Milestone:
        return obj if isinstance(obj, Milestone) else obj.milestone

    def _signed(self, obj: object | None) -> bool:
        return obj is not None and self._milestone(obj).under_signature

    def get_readonly_fields(self, request: HttpRequest, obj: object | None = None) -> list:
        readonly = list(super().get_readonly_fields(request, obj))
        if self._signed(obj):
            readonly += [name for name in self.frozen if name not in readonly]
        return readonly

    def has_delete_permission(self, request: HttpRequest, obj: object | None = None) -> bool:
        return not self._signed(obj) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(
        self, db_field: Field, request: HttpRequest, **kwargs: object
    ) -> ModelChoiceField:
        if db_field.name == "milestone":
            kwargs["queryset"] = Milestone.objects.exclude(status__in=Milestone.UNDER_SIGNATURE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MilestoneInline(admin.TabularInline):
    """A list only: a milestone is changed on its own page, which knows when it is signed."""

    model = Milestone
    extra = 0
    fields = ["title", "due_date", "status", "requires_signoff"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Phase | None = None) -> bool:
        return False


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "order", "planned_start", "planned_end"]
    list_filter = ["kind"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]
    inlines = [MilestoneInline]

    def save_model(self, request: HttpRequest, obj: Phase, form: ModelForm, change: bool) -> None:
        """The board's milestone filter names the milestones edited inline here."""
        project_lock(project_id=obj.project_id)
        super().save_model(request, obj, form, change)


class CriterionInline(FrozenUnderSignature, admin.TabularInline):
    model = AcceptanceCriterion
    extra = 0
    fields = ["text", "position", "met_at", "met_by"]
    frozen = ("text", "position", "met_at", "met_by")

    # An inline is asked with the milestone, not the criterion.
    def has_add_permission(self, request: HttpRequest, obj: Milestone | None = None) -> bool:
        return not self._signed(obj) and super().has_add_permission(request, obj)


@admin.register(Milestone)
class MilestoneAdmin(FrozenUnderSignature, admin.ModelAdmin):
    list_display = ["title", "phase", "due_date", "status", "requires_signoff", "revision"]
    list_filter = ["status", "requires_signoff", "phase__kind"]
    search_fields = ["title", "phase__project__code", "phase__project__name"]
    list_select_related = ["phase", "phase__project"]
    inlines = [CriterionInline]
    frozen = ("title", "description", "due_date")

    def save_model(
        self, request: HttpRequest, obj: Milestone, form: ModelForm, change: bool
    ) -> None:
        """The board's milestone filter shows the title at once, on the old project's board
        too when the milestone moves."""
        phases = Phase.objects.filter(pk__in={obj.phase_id, form.initial.get("phase")})
        projects_lock(project_ids=phases.values_list("project_id", flat=True))
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Milestone) -> None:
        project_lock(project_id=obj.phase.project_id)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> None:
        projects_lock(project_ids=queryset.values_list("phase__project_id", flat=True))
        super().delete_queryset(request, queryset)


class VersionInline(admin.TabularInline):
    model = DeliverableVersion
    extra = 0
    fields = ["number", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Deliverable)
class DeliverableAdmin(FrozenUnderSignature, admin.ModelAdmin):
    list_display = ["title", "milestone", "created_at"]
    search_fields = ["title", "milestone__title"]
    list_select_related = ["milestone"]
    inlines = [VersionInline]
    frozen = ("milestone", "title", "description")


@admin.register(DeliverableVersion)
class DeliverableVersionAdmin(admin.ModelAdmin):
    list_display = ["original_name", "deliverable", "number", "size", "sha256", "uploaded_at"]
    search_fields = ["original_name", "sha256", "deliverable__title"]
    list_select_related = ["deliverable"]
    readonly_fields = ["sha256", "size"]


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(FrozenUnderSignature, admin.ModelAdmin):
    list_display = ["text", "milestone", "met_at", "met_by"]
    search_fields = ["text", "milestone__title"]
    list_select_related = ["milestone", "met_by"]
    frozen = ("milestone", "text", "position", "met_at", "met_by")


@admin.register(SignOff)
class SignOffAdmin(admin.ModelAdmin):
    """Sign-offs are evidence: the admin shows them and never changes them."""

    list_display = ["milestone", "decision", "signer_name", "signer_email", "signed_at"]
    list_filter = ["decision"]
    search_fields = ["signer_name", "signer_email", "milestone__title", "record_hash"]
    list_select_related = ["milestone"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
