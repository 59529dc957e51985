from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Activity, Client, ClientContact, Project, TaskCard, User
from .services import card_place, column_renumber, project_lock, projects_lock


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "is_active", "is_staff", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["full_name", "role", "language", "time_zone"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "role", "password1", "password2"]}),
    ]

    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        """Boards show people by name (or address): a rename shows on them at once."""
        if change and {"full_name", "email"} & set(form.changed_data):
            projects_lock(project_ids=_boards_showing(obj))
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        projects_lock(project_ids=_boards_showing(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        projects_lock(project_ids=[pk for user in queryset for pk in _boards_showing(user)])
        super().delete_queryset(request, queryset)


def _boards_showing(user: User) -> set[int]:
    """The projects whose boards show the user: as PM, team member or a card's assignee."""
    team = Project.team.through.objects.filter(user=user).values("project_id")
    cards = TaskCard.objects.filter(assignee=user).values("project_id")
    projects = Project.objects.filter(Q(pm=user) | Q(pk__in=team) | Q(pk__in=cards))
    return set(projects.values_list("pk", flat=True))


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone", "created_at"]
    search_fields = ["name"]
    inlines = [ClientContactInline]

    def save_model(self, request: HttpRequest, obj: Client, form: ModelForm, change: bool) -> None:
        """Boards show their client's name: a rename shows on all of them at once."""
        if change:
            projects_lock(project_ids=obj.projects.values_list("pk", flat=True))
        super().save_model(request, obj, form, change)


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


@admin.register(TaskCard)
class TaskCardAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "status", "assignee", "due_date", "responsible"]
    list_filter = ["status", "responsible", "client_visible", "archived_at", "project"]
    search_fields = ["title", "description", "project__code"]
    autocomplete_fields = ["project", "assignee", "milestone"]
    list_select_related = ["project", "assignee"]
    # The place in a column is the board's (drag and drop, "Move"): a card whose column or
    # project changes here goes to the bottom of its new column, like a status set on the board.
    readonly_fields = ["position", "version"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[TaskCard]:
        """Archived cards too: the admin is where one comes back after its undo is over."""
        return TaskCard.with_archived.select_related(*self.list_select_related)

    def save_model(
        self, request: HttpRequest, obj: TaskCard, form: ModelForm, change: bool
    ) -> None:
        """Like the board's own writes: an editor with the card open gets a conflict instead of
        overwriting this, and boards (the card's old one too, if it moved) show it at once."""
        projects_lock(project_ids={obj.project_id, form.initial.get("project")})
        index = None
        if change:
            saved = TaskCard.with_archived.values("version", "project_id", "status", "position")
            current = saved.get(pk=obj.pk)
            obj.version = current["version"] + 1
            if (current["project_id"], current["status"]) == (obj.project_id, obj.status):
                index = current["position"]  # same column: the card keeps its place
        card_place(card=obj, status=obj.status, index=index)
        super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: TaskCard) -> None:
        projects_lock(project_ids={obj.project_id})
        super().delete_model(request, obj)
        column_renumber(project_id=obj.project_id, status=obj.status)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[TaskCard]) -> None:
        """The admin's bulk delete runs outside a transaction: this one holds the locks until
        the columns are renumbered."""
        columns = set(queryset.values_list("project_id", "status"))
        projects_lock(project_ids={project_id for project_id, _status in columns})
        super().delete_queryset(request, queryset)
        for project_id, status in sorted(columns):
            column_renumber(project_id=project_id, status=status)


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "project", "actor", "summary"]
    list_filter = ["verb", "project"]
    search_fields = ["summary", "project__code", "actor__email"]
    list_select_related = ["project", "actor"]
    readonly_fields = ["project", "actor", "verb", "summary", "client_visible", "created_at"]

    def has_add_permission(self, request: object) -> bool:
        return False
