from django.contrib import admin

from .models import (
    AcceptanceCriterion,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Phase,
    SignOff,
)


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    fields = ["title", "due_date", "status", "requires_signoff"]


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["project", "kind", "order", "planned_start", "planned_end"]
    list_filter = ["kind"]
    search_fields = ["project__code", "project__name"]
    list_select_related = ["project"]
    inlines = [MilestoneInline]


class CriterionInline(admin.TabularInline):
    model = AcceptanceCriterion
    extra = 0
    fields = ["text", "position", "met_at", "met_by"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "phase", "due_date", "status", "requires_signoff", "revision"]
    list_filter = ["status", "requires_signoff", "phase__kind"]
    search_fields = ["title", "phase__project__code", "phase__project__name"]
    list_select_related = ["phase", "phase__project"]
    inlines = [CriterionInline]


class VersionInline(admin.TabularInline):
    model = DeliverableVersion
    extra = 0
    fields = ["number", "original_name", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["title", "milestone", "created_at"]
    search_fields = ["title", "milestone__title"]
    list_select_related = ["milestone"]
    inlines = [VersionInline]


@admin.register(DeliverableVersion)
class DeliverableVersionAdmin(admin.ModelAdmin):
    list_display = ["original_name", "deliverable", "number", "size", "sha256", "uploaded_at"]
    search_fields = ["original_name", "sha256", "deliverable__title"]
    list_select_related = ["deliverable"]
    readonly_fields = ["sha256", "size"]


@admin.register(AcceptanceCriterion)
class AcceptanceCriterionAdmin(admin.ModelAdmin):
    list_display = ["text", "milestone", "met_at", "met_by"]
    search_fields = ["text", "milestone__title"]
    list_select_related = ["milestone", "met_by"]


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
