from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AccountMail, Notification, NotificationPreference
from .services import notification_emails_resend


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "recipient",
        "kind",
        "created_at",
        "read_at",
        "email_state",
        "email_attempts",
    ]
    list_filter = ["email_state", "kind"]
    search_fields = ["title", "recipient__email", "dedupe_key", "target"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Send the e-mail again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        count = notification_emails_resend(
            notification_ids=list(queryset.values_list("pk", flat=True))
        )
        message = ngettext(
            "%(count)d mail is on its way again (sent mails are not sent twice).",
            "%(count)d mails are on their way again (sent mails are not sent twice).",
            count,
        )
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "by_email"]
    list_filter = ["kind", "by_email"]
    search_fields = ["user__email"]
    autocomplete_fields = ["user"]


@admin.register(AccountMail)
class AccountMailAdmin(admin.ModelAdmin):
    list_display = ["kind", "to", "created_at", "email_state", "email_attempts", "emailed_at"]
    list_filter = ["email_state", "kind"]
    search_fields = ["to"]
    date_hierarchy = "created_at"
    # The text of an invitation holds its one-time link: a key to the account, not for reading.
    exclude = ["body", "html"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
