import datetime
import zoneinfo

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from clientprogress.limits import ERROR_TEXT, LONG_TEXT, MAIL_TEXT, SHORT_TEXT, length_check


class Notification(models.Model):
    """One event for one recipient; also the outbox row of its e-mail."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due soon")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")
        SIGNOFF_REQUESTED = "signoff_requested", _("Sign-off requested")
        SIGNOFF_REMINDER = "signoff_reminder", _("Sign-off reminder")
        SIGNOFF_DECIDED = "signoff_decided", _("Sign-off decision")
        CLIENT_ITEM_DONE = "client_item_done", _("Client finished an item")
        FEEDBACK = "feedback", _("Client feedback")
        REPORT = "report", _("Status report")

    class EmailState(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("In-app only")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    target = models.CharField(
        _("target"), max_length=60, blank=True, help_text=_("What it is about, e.g. card:42.")
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(
        _("text"), blank=True, max_length=LONG_TEXT, validators=[MaxLengthValidator(LONG_TEXT)]
    )
    link = models.CharField(_("link"), max_length=300, blank=True)
    data = models.JSONField(
        _("details"),
        default=dict,
        blank=True,
        help_text=_("Facts the text is written from in the reader's language, e.g. the due date."),
    )
    dedupe_key = models.CharField(_("dedupe key"), max_length=200)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(
        _("e-mail"), max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_last_error = models.TextField(
        _("last e-mail error"),
        blank=True,
        max_length=ERROR_TEXT,
        validators=[MaxLengthValidator(ERROR_TEXT)],
    )
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    email_due_at = models.DateTimeField(_("next e-mail attempt"), default=timezone.now)
    email_claimed_at = models.DateTimeField(_("e-mail claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_once_per_recipient"
            ),
            length_check("text", LONG_TEXT, name="notification_text_length"),
            length_check("email_last_error", ERROR_TEXT, name="notification_error_length"),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                name="notification_unread",
                condition=Q(read_at__isnull=True),
            ),
            models.Index(
                fields=["email_due_at"],
                name="notification_outbox",
                condition=Q(email_state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def details(self) -> str:
        """The text in the active language: written from `data` when the overdue checks made
        the row, as given otherwise."""
        if "due" not in self.data:
            return self.text
        due = datetime.date.fromisoformat(self.data["due"])
        facts = {"date": formats.date_format(due, "DATE_FORMAT")}
        if self.kind == self.Kind.SIGNOFF_REMINDER:
            facts["days"] = self.data["waited_days"]
            return gettext("Waiting for your sign-off for more than %(days)s days.") % facts
        if self.kind == self.Kind.DUE_SOON:
            return gettext("Due on %(date)s.") % facts
        side = (
            gettext("Waiting on the client.")
            if self.data["side"] == "client"
            else gettext("Waiting on the team.")
        )
        if self.kind == self.Kind.ESCALATION:
            facts["duration"] = timesince(self.deadline(), self.created_at, depth=2)
            return gettext("Overdue for %(duration)s (due on %(date)s).") % facts + " " + side
        return gettext("Was due on %(date)s.") % facts + " " + side

    def deadline(self) -> datetime.datetime:
        """The end of the due day in the client's time zone."""
        due = datetime.date.fromisoformat(self.data["due"])
        midnight = datetime.datetime.combine(due + datetime.timedelta(days=1), datetime.time())
        return midnight.replace(tzinfo=zoneinfo.ZoneInfo(self.data["tz"]))


class NotificationPreference(models.Model):
    """A user's choice for one kind; without a row, the kind is e-mailed at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Notification.Kind.choices)
    by_email = models.BooleanField(_("e-mail at once"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"


class AccountMail(models.Model):
    """A mail about an account (a password reset, an invitation) in the outbox: written in the
    request's transaction, sent by a worker once it commits, or by the outbox sweep when the
    broker was down. A reset row holds the address alone: the worker looks the account up and
    writes the mail, so the request does the same work whether an account uses it or not.
    The outbox columns are named as a notification's, so one sender serves both."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Password reset")
        INVITATION = "invitation", _("Invitation")

    class EmailState(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        NO_ACCOUNT = "no_account", _("No account uses the address")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to = models.EmailField(_("to"))
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Of the page the mail was asked from; the account's own choice comes first."),
    )
    subject = models.TextField(
        _("subject"), blank=True, max_length=SHORT_TEXT, validators=[MaxLengthValidator(SHORT_TEXT)]
    )
    body = models.TextField(
        _("text"), blank=True, max_length=MAIL_TEXT, validators=[MaxLengthValidator(MAIL_TEXT)]
    )
    html = models.TextField(
        _("HTML"), blank=True, max_length=MAIL_TEXT, validators=[MaxLengthValidator(MAIL_TEXT)]
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    email_state = models.CharField(
        _("state"), max_length=10, choices=EmailState.choices, default=EmailState.PENDING
    )
    email_attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    email_last_error = models.TextField(
        _("last error"),
        blank=True,
        max_length=ERROR_TEXT,
        validators=[MaxLengthValidator(ERROR_TEXT)],
    )
    emailed_at = models.DateTimeField(_("sent"), null=True, blank=True)
    email_due_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    email_claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)

    class Meta:
        verbose_name = _("account mail")
        verbose_name_plural = _("account mails")
        ordering = ["-created_at", "-id"]
        constraints = [
            length_check("subject", SHORT_TEXT, name="account_mail_subject_length"),
            length_check("body", MAIL_TEXT, name="account_mail_body_length"),
            length_check("html", MAIL_TEXT, name="account_mail_html_length"),
            length_check("email_last_error", ERROR_TEXT, name="account_mail_error_length"),
            models.CheckConstraint(
                condition=Q(kind__in=["password_reset", "invitation"]),
                name="account_mail_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(email_state__in=["pending", "sending", "sent", "failed", "no_account"]),
                name="account_mail_state_valid",
            ),
            # Only a reset is written by the worker; any other mail comes written.
            models.CheckConstraint(
                condition=Q(kind="password_reset") | ~Q(subject=""),
                name="account_mail_written_has_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["email_due_at"],
                name="account_mail_outbox",
                condition=Q(email_state__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.to}"
