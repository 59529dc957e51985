"""The bounds every stored text and date keeps, in forms, models and the database alike.

A text longer than its column is refused by PostgreSQL (a 500) and stretches a PDF or a mail
without end; a date like 9999-12-31 makes the date arithmetic of reports and checks overflow.
Free text is refused at its limit with a message; text we build from it (activity lines,
notification titles, recorded errors) is cut to its column instead, never refused."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

LONG_TEXT = 5000  # descriptions, feedback, notification texts: a few paragraphs
SHORT_TEXT = 1000  # a reason given in a line or two
ERROR_TEXT = 2000  # what a failed job records about why
MAIL_TEXT = 100_000  # a mail we write ourselves (an invitation, a password reset)

FIRST_DAY = datetime.date(2000, 1, 1)
LAST_DAY = datetime.date(2100, 12, 31)
ELLIPSIS = "…"


def fit(text: str, limit: int) -> str:
    """The text, cut with an ellipsis when longer than `limit` characters. Truncator counts
    combining marks as nothing, so a string of them is cut again by characters, as the column
    counts them."""
    cut = Truncator(text).chars(limit)
    return cut if len(cut) <= limit else cut[: limit - len(ELLIPSIS)] + ELLIPSIS


def fit_field(model: type[models.Model], field: str, text: str) -> str:
    """The text cut to the model field's max_length."""
    return fit(text, model._meta.get_field(field).max_length)


def validate_day(value: datetime.date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            _("Enter a date from %(first)s to %(last)s."),
            code="date_out_of_range",
            params={
                "first": date_format(FIRST_DAY, "SHORT_DATE_FORMAT"),
                "last": date_format(LAST_DAY, "SHORT_DATE_FORMAT"),
            },
        )


def length_check(field: str, limit: int, *, name: str) -> models.CheckConstraint:
    """No path (a bulk update, the shell, raw SQL) stores more than `limit` characters."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


def day_check(field: str, *, name: str, nullable: bool = False) -> models.CheckConstraint:
    """The date lies in FIRST_DAY..LAST_DAY (or is empty, for a field that may be)."""
    condition = Q(**{f"{field}__range": (FIRST_DAY, LAST_DAY)})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=name)
