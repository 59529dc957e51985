"""The sign-off certificate: the whole record, readable by a person, as a PDF."""

from datetime import UTC

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .models import SignOff
from .signoff import signoff_record_hash, signoff_signed_milestone

# The certificate is self-contained: nothing it renders may reach the network or the disk.
_NO_FETCHING = URLFetcher(allowed_protocols=())


def signoff_certificate_pdf(*, signoff: SignOff) -> bytes:
    """Prints what the record stores of the milestone, never what the milestone says now."""
    signed = signoff_signed_milestone(signoff=signoff)
    context = {
        "signoff": signoff,
        "project": signoff.milestone.phase.project,
        "signed_at_utc": signoff.signed_at.astimezone(UTC),
        "signed": signed,
        "consent": signed.consent,
        "intact": signoff_record_hash(signoff) == signoff.record_hash,
    }
    html = render_to_string("milestones/certificate.html", context)
    return HTML(string=html, url_fetcher=_NO_FETCHING).write_pdf()


def certificate_filename(signoff: SignOff) -> str:
    return f"sign-off-{signoff.pk}-{signoff.signed_at.astimezone(UTC):%Y%m%d}.pdf"
