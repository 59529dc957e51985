"""The weekly report mail: a summary in the body, the PDFs attached."""

from collections.abc import Sequence

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from clientprogress.mail import message_id, plain_subject
from projects.models import Project

from .models import ReportDelivery, StatusReport
from .periods import Week
from .selectors import portfolio_rows


def weekly_message(
    *, delivery: ReportDelivery, reports: list[StatusReport], missing: Sequence[Project] = ()
) -> EmailMultiAlternatives:
    """`missing`: projects whose report could not be rendered, named to our own people only."""
    recipient = delivery.recipient
    context = {
        "recipient": recipient,
        "week": Week.parse(delivery.period),
        "rows": portfolio_rows(reports),
        "for_client": recipient.is_client,
        "missing": [] if recipient.is_client else missing,
    }
    message = EmailMultiAlternatives(
        subject=plain_subject(render_to_string("emails/report_subject.txt", context)),
        body=render_to_string("emails/report.txt", context),
        to=[recipient.email],
        # The same id however often it is built: a mail reader shows a duplicate only once.
        headers={"Message-ID": message_id("report-delivery", delivery.pk)},
    )
    message.attach_alternative(render_to_string("emails/report.html", context), "text/html")
    if recipient.is_client:
        for report in reports:
            message.attach(report.filename, _read(report.file), "application/pdf")
    else:
        name = f"status-reports-{delivery.period}.pdf"
        message.attach(name, _read(delivery.file), "application/pdf")
    return message


def _read(file: object) -> bytes:
    with file.open("rb") as handle:
        return handle.read()
