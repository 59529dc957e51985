"""The weekly report mail: a summary in the body, the PDFs attached."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .models import ReportDelivery, StatusReport
from .periods import Week
from .selectors import portfolio_rows


def weekly_message(
    *, delivery: ReportDelivery, reports: list[StatusReport]
) -> EmailMultiAlternatives:
    recipient = delivery.recipient
    context = {
        "recipient": recipient,
        "week": Week.parse(delivery.period),
        "rows": portfolio_rows(reports),
        "for_client": recipient.is_client,
    }
    message = EmailMultiAlternatives(
        subject=" ".join(render_to_string("emails/report_subject.txt", context).split()),
        body=render_to_string("emails/report.txt", context),
        to=[recipient.email],
        # The same id however often it is built: a mail reader shows a duplicate only once.
        headers={"Message-ID": f"<weekly-report.{delivery.period}.{delivery.pk}@{_domain()}>"},
    )
    message.attach_alternative(render_to_string("emails/report.html", context), "text/html")
    if recipient.is_client:
        for report in reports:
            message.attach(report.filename, _read(report.file), "application/pdf")
    else:
        name = f"status-reports-{delivery.period}.pdf"
        message.attach(name, _read(delivery.file), "application/pdf")
    return message


def _domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def _read(file: object) -> bytes:
    with file.open("rb") as handle:
        return handle.read()
