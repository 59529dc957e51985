import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientprogress.limits import LONG_TEXT, SHORT_TEXT, day_check, length_check, validate_day


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.update(is_staff=True, is_superuser=True, role=User.Role.MANAGER)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who logs in. The role is the one place that says what kind of user this is."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("Manager")
        PM = "pm", _("Project manager")
        MEMBER = "member", _("Team member")
        CLIENT = "client", _("Client contact")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    # Pages show times in this zone; due dates stay the client's calendar days.
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=Q(role__in=["manager", "pm", "member", "client"]), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_client(self) -> bool:
        return self.role == self.Role.CLIENT

    @property
    def sees_all_projects(self) -> bool:
        return self.role == self.Role.MANAGER or self.is_superuser


class Client(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_("Due dates end at midnight in this time zone."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ClientContact(models.Model):
    """Links a client user to exactly one client organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="contact",
        verbose_name=_("user"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client")
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")
        ordering = ["client__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.client})"


class Project(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        ARCHIVED = "archived", _("Archived")

    client = models.ForeignKey(
        Client, on_delete=models.PROTECT, related_name="projects", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT,
        validators=[MaxLengthValidator(LONG_TEXT)],
    )
    pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="managed_projects",
        verbose_name=_("project manager"),
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="team_projects", verbose_name=_("team")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    mail_client_reports = models.BooleanField(
        _("mail the weekly report to the client"),
        default=False,
        help_text=_("The client's contacts get the client version of the weekly status report."),
    )
    start_date = models.DateField(_("start date"), validators=[validate_day])
    end_date = models.DateField(_("end date"), validators=[validate_day])
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Raised by every write that changes what the board shows (see services.project_lock).
    board_version = models.PositiveIntegerField(_("board version"), default=0, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["client__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="project_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "on_hold", "completed", "archived"]),
                name="project_status_valid",
            ),
            day_check("start_date", name="project_start_date_in_range"),
            day_check("end_date", name="project_end_date_in_range"),
            length_check("description", LONG_TEXT, name="project_description_length"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class BoardCards(models.Manager["TaskCard"]):
    """The cards on the board. An archived card has left the board, the portal, the reports and
    every count; it stays in the database (and in the activity), reached through
    `TaskCard.with_archived`."""

    def get_queryset(self) -> models.QuerySet["TaskCard"]:
        return super().get_queryset().filter(archived_at__isnull=True)


class TaskCard(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        IN_REVIEW = "in_review", _("In review")
        DONE = "done", _("Done")

    class Responsible(models.TextChoices):
        TEAM = "team", _("Team")
        CLIENT = "client", _("Client")

    class Source(models.TextChoices):
        TEAM = "team", _("Team")
        FEEDBACK = "feedback", _("Client feedback")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested at sign-off")

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="cards", verbose_name=_("project")
    )
    milestone = models.ForeignKey(
        "milestones.Milestone",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
        verbose_name=_("milestone"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT,
        validators=[MaxLengthValidator(LONG_TEXT)],
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default="todo")
    # None once archived: the card has no place in a column any more.
    position = models.PositiveIntegerField(_("position"), null=True, blank=True, default=0)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cards",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True, validators=[validate_day])
    responsible = models.CharField(
        _("responsible"), max_length=6, choices=Responsible.choices, default=Responsible.TEAM
    )
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    blocked_reason = models.TextField(
        _("blocked reason"),
        blank=True,
        max_length=SHORT_TEXT,
        validators=[MaxLengthValidator(SHORT_TEXT)],
    )
    source = models.CharField(
        _("source"), max_length=20, choices=Source.choices, default=Source.TEAM
    )
    revision_round = models.PositiveIntegerField(
        _("revision round"),
        null=True,
        blank=True,
        help_text=_("For changes requested at sign-off: the submission round they came from."),
    )
    attachment = models.FileField(
        _("attachment"), upload_to="card-attachments/%Y/%m/", max_length=300, blank=True
    )
    attachment_name = models.CharField(_("attachment file name"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    with_archived = models.Manager()
    objects = BoardCards()

    class Meta:
        verbose_name = _("task card")
        verbose_name_plural = _("task cards")
        default_manager_name = "objects"
        ordering = ["project", "status", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["todo", "in_progress", "blocked", "in_review", "done"]),
                name="card_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(responsible__in=["team", "client"]), name="card_responsible_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=["team", "feedback", "changes_requested"]),
                name="card_source_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="blocked") | ~Q(blocked_reason=""),
                name="card_blocked_has_reason",
            ),
            models.UniqueConstraint(
                fields=["project", "status", "position"],
                name="card_position_unique_in_column",
                deferrable=models.Deferrable.DEFERRED,
            ),
            day_check("due_date", name="card_due_date_in_range", nullable=True),
            length_check("description", LONG_TEXT, name="card_description_length"),
            length_check("blocked_reason", SHORT_TEXT, name="card_blocked_reason_length"),
            models.CheckConstraint(
                condition=Q(archived_at__isnull=True, position__isnull=False)
                | Q(archived_at__isnull=False, position__isnull=True),
                name="card_position_unless_archived",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="card_open_due_idx", condition=~Q(status="done")
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.status == self.Status.BLOCKED and not self.blocked_reason.strip():
            raise ValidationError(
                {"blocked_reason": _("Say why the card is blocked before moving it to Blocked.")}
            )


class Activity(models.Model):
    """One line of a project's timeline: who did what, when. Never edited."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="activities", verbose_name=_("project")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    verb = models.CharField(_("verb"), max_length=40)
    summary = models.CharField(_("summary"), max_length=500)
    client_visible = models.BooleanField(_("visible to the client"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["project", "-created_at"], name="activity_project_time")]

    def __str__(self) -> str:
        return self.summary
