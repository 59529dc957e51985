from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import ReportDelivery, StatusReport


@admin.register(StatusReport)
class StatusReportAdmin(admin.ModelAdmin):
    list_display = ["project", "period", "audience", "state", "complete", "size", "generated_at"]
    list_filter = ["audience", "state", "complete", "trigger"]
    search_fields = ["project__name", "project__code", "period"]
    list_select_related = ["project"]
    readonly_fields = [
        "project",
        "period",
        "period_start",
        "audience",
        "file",
        "sha256",
        "size",
        "figures",
        "trigger",
        "requested_by",
        "requested_at",
        "generated_at",
        "complete",
        "error",
    ]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["recipient", "period", "state", "attempts", "sent_at"]
    list_filter = ["state", "period"]
    search_fields = ["recipient__email", "period"]
    list_select_related = ["recipient"]
    readonly_fields = [
        "recipient",
        "period",
        "projects",
        "file",
        "sha256",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    actions = ["retry"]

    @admin.action(description=_("Send again at the next run (failed deliveries only)"))
    def retry(self, request: HttpRequest, queryset: QuerySet[ReportDelivery]) -> None:
        queryset.filter(state=ReportDelivery.State.FAILED).update(
            state=ReportDelivery.State.PENDING, attempts=0, last_error=""
        )
