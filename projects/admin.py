from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Activity, Client, ClientContact, Project, TaskCard, User
from .services import project_lock


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "role", "language"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "created_at"]
    search_fields = ["name"]
    inlines = [ClientContactInline]


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ["user", "client", "job_title"]
    list_filter = ["client"]
    search_fields = ["user__email", "user__full_name", "client__name"]
    autocomplete_fields = ["user", "client"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "client", "pm", "status", "start_date", "end_date"]
    list_filter = ["status", "client"]
    search_fields = ["code", "name", "client__name"]
    autocomplete_fields = ["client", "pm", "team"]
    date_hierarchy = "start_date"

    def save_model(self, request: HttpRequest, obj: Project, form: ModelForm, change: bool) -> None:
        """Boards show the project's name, client and team at once; and the board version is
        taken as it is now, not as it was when the form was loaded."""
        if change:
            project_lock(project_id=obj.pk)
            obj.board_version = Project.objects.get(pk=obj.pk).board_version
        super().save_model(request, obj, form, change)


def _lock_boards(project_ids: set[int | None]) -> None:
    """project_lock for each project, in one order, so that two admins never deadlock."""
    for project_id in sorted(project_ids - {None}):
        project_lock(project_id=project_id)


@admin.register(TaskCard)
class TaskCardAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "assignee", "due_date", "responsible"]
    list_filter = ["status", "responsible", "client_visible", "archived_at", "project"]
    search_fields = ["title", "description", "project__code"]
    autocomplete_fields = ["project", "assignee", "milestone"]
    list_select_related = ["project", "assignee"]
    readonly_fields = ["version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TaskCard]:
        """Archived cards too: the admin is where one comes back after its undo is over."""
        return TaskCard.with_archived.select_related(*self.list_select_related)

    def save_model(
        self, request: HttpRequest, obj: TaskCard, form: ModelForm, change: bool
    ) -> None:
        """Like the board's own writes: an editor with the card open gets a conflict instead of
        overwriting this, and boards (the card's old one too, if it moved) show it at once."""
        _lock_boards({obj.project_id, form.initial.get("project")})
        if change:
            current = TaskCard.with_archived.values_list("version", flat=True).get(pk=obj.pk)
            obj.version = current + 1
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: TaskCard) -> None:
        _lock_boards({obj.project_id})
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TaskCard]) -> None:
        _lock_boards(set(queryset.values_list("project_id", flat=True)))
        super().delete_queryset(request, queryset)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "actor", "summary"]
    list_filter = ["verb", "project"]
    search_fields = ["summary", "project__code", "actor__email"]
    list_select_related = ["project", "actor"]
    readonly_fields = ["project", "actor", "verb", "summary", "client_visible", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
