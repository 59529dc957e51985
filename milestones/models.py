from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clientprogress.limits import LONG_TEXT, day_check, length_check, validate_day


class Phase(models.Model):
    class Kind(models.TextChoices):
        REQUIREMENTS = "requirements", _("Requirements")
        PROTOTYPE = "prototype", _("Prototype")
        DEV_TEST = "dev_test", _("Development & testing")
        ACCEPTANCE = "acceptance", _("Acceptance & delivery")

    ORDER = {kind: index for index, kind in enumerate(Kind.values, start=1)}

    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="phases",
        verbose_name=_("project"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"))
    planned_start = models.DateField(
        _("planned start"), null=True, blank=True, validators=[validate_day]
    )
    planned_end = models.DateField(
        _("planned end"), null=True, blank=True, validators=[validate_day]
    )

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["project", "order"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="phase_kind_once"),
            models.UniqueConstraint(fields=["project", "order"], name="phase_order_once"),
            models.CheckConstraint(
                condition=Q(kind="requirements", order=1)
                | Q(kind="prototype", order=2)
                | Q(kind="dev_test", order=3)
                | Q(kind="acceptance", order=4),
                name="phase_kind_in_order",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="phase_dates_ordered",
            ),
            day_check("planned_start", name="phase_planned_start_in_range", nullable=True),
            day_check("planned_end", name="phase_planned_end_in_range", nullable=True),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("phase")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT,
        validators=[MaxLengthValidator(LONG_TEXT)],
    )
    due_date = models.DateField(_("due date"), validators=[validate_day])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    requires_signoff = models.BooleanField(_("requires client sign-off"), default=True)
    revision = models.PositiveIntegerField(
        _("revision round"), default=0, help_text=_("Incremented each time it is submitted.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["phase__order", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "planned",
                        "in_progress",
                        "awaiting_signoff",
                        "approved",
                        "changes_requested",
                    ]
                ),
                name="milestone_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_at__isnull=False),
                name="milestone_approved_has_time",
            ),
            day_check("due_date", name="milestone_due_date_in_range"),
            length_check("description", LONG_TEXT, name="milestone_description_length"),
        ]
        indexes = [
            models.Index(
                fields=["due_date"], name="milestone_open_due_idx", condition=~Q(status="approved")
            )
        ]

    # Asked to sign, or signed: what it says, its criteria and its deliverables are evidence,
    # and changing them takes it back to work for a new submission and sign-off.
    UNDER_SIGNATURE = (Status.AWAITING_SIGNOFF, Status.APPROVED)

    def __str__(self) -> str:
        return self.title

    @property
    def under_signature(self) -> bool:
        return self.status in self.UNDER_SIGNATURE


class Undeleted(models.Manager):
    """Rows not deleted. A deleted row can be restored for a few seconds (UNDO_SECONDS), then a
    periodic job removes it for good (services.deleted_purge); `with_deleted` reaches it."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


class AcceptanceCriterion(models.Model):
    """An internal check the team must meet before submitting; never shown to the client."""

    milestone = models.ForeignKey(
        Milestone, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("milestone")
    )
    text = models.CharField(_("criterion"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    met_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("met by"),
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    with_deleted = models.Manager()
    objects = Undeleted()

    class Meta:
        verbose_name = _("acceptance criterion")
        default_manager_name = "objects"
        verbose_name_plural = _("acceptance criteria")
        ordering = ["milestone", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_met(self) -> bool:
        return self.met_at is not None


class Deliverable(models.Model):
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.CASCADE,
        related_name="deliverables",
        verbose_name=_("milestone"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"),
        blank=True,
        max_length=LONG_TEXT,
        validators=[MaxLengthValidator(LONG_TEXT)],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)

    with_deleted = models.Manager()
    objects = Undeleted()

    class Meta:
        verbose_name = _("deliverable")
        default_manager_name = "objects"
        verbose_name_plural = _("deliverables")
        ordering = ["milestone", "title", "id"]
        constraints = [
            length_check("description", LONG_TEXT, name="deliverable_description_length"),
        ]

    def __str__(self) -> str:
        return self.title


def deliverable_upload_to(instance: "DeliverableVersion", filename: str) -> str:
    """Stored under a generated name; the original name is kept in the row only."""
    return f"deliverables/{timezone.now():%Y/%m}/{instance.sha256}"


class DeliverableVersion(models.Model):
    deliverable = models.ForeignKey(
        Deliverable,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("deliverable"),
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=deliverable_upload_to, max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        verbose_name = _("deliverable version")
        verbose_name_plural = _("deliverable versions")
        ordering = ["deliverable", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["deliverable", "number"], name="version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} (v{self.number})"


class SignOff(models.Model):
    """The client's decision on one submission of a milestone, bound to the exact files."""

    class Decision(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")

    # Format 1 records were written before a record stored what the milestone said; format 2
    # stores the milestone's title, description and criteria as the signer was shown them.
    FORMAT_CURRENT = 2

    milestone = models.ForeignKey(
        Milestone, on_delete=models.PROTECT, related_name="signoffs", verbose_name=_("milestone")
    )
    revision = models.PositiveIntegerField(_("revision round"))
    record_format = models.PositiveSmallIntegerField(_("record format"), default=FORMAT_CURRENT)
    milestone_title = models.CharField(_("milestone title as shown"), max_length=200, blank=True)
    milestone_description = models.TextField(
        _("milestone description as shown"),
        blank=True,
        max_length=LONG_TEXT,
        validators=[MaxLengthValidator(LONG_TEXT)],
    )
    milestone_criteria = models.JSONField(
        _("acceptance criteria as shown"), default=list, blank=True
    )
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(
        _("comment"), blank=True, max_length=LONG_TEXT, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="signoffs",
        verbose_name=_("signer"),
    )
    signer_name = models.CharField(_("typed name"), max_length=200)
    signer_email = models.EmailField(_("signer e-mail"))
    signer_organisation = models.CharField(_("organisation"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    manifest = models.JSONField(_("manifest"), default=list)
    consent_sha256 = models.CharField(_("consent text SHA-256"), max_length=64)
    previous_hash = models.CharField(_("previous record hash"), max_length=64, blank=True)
    record_hash = models.CharField(_("record hash"), max_length=64, unique=True)
    # The certificate PDF, rendered once by a worker after the decision is recorded (not part
    # of the record's hash: it prints the record, and says whether the record is intact).
    certificate = models.FileField(_("certificate"), upload_to="certificates/", blank=True)
    certificate_sha256 = models.CharField(_("certificate SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "revision"], name="signoff_one_decision_per_round"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "changes_requested"]),
                name="signoff_decision_valid",
            ),
            models.CheckConstraint(
                condition=Q(decision="approved") | ~Q(comment=""),
                name="signoff_changes_have_comment",
            ),
            models.CheckConstraint(
                condition=~Q(signer_name=""), name="signoff_typed_name_required"
            ),
            length_check("comment", LONG_TEXT, name="signoff_comment_length"),
            length_check(
                "milestone_description", LONG_TEXT, name="signoff_milestone_description_length"
            ),
            models.CheckConstraint(
                condition=Q(record_format__in=[1, 2]), name="signoff_record_format_valid"
            ),
            models.CheckConstraint(
                condition=Q(record_format=1) | ~Q(milestone_title=""),
                name="signoff_stores_the_title_shown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.milestone} — {self.get_decision_display()} ({self.signer_name})"

    def clean(self) -> None:
        if self.decision == self.Decision.CHANGES_REQUESTED and not self.comment.strip():
            raise ValidationError({"comment": _("Say what needs to change.")})
