"""The sign-off certificate: the whole record, readable by a person, as a PDF."""

import hashlib
from datetime import UTC

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from .models import SignOff
from .signoff import certificate_filename, signoff_record_hash, signoff_signed_milestone

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


def signoff_certificate_store(*, signoff_id: int) -> SignOff:
    """Renders the certificate in the signer's language and stores it with its SHA-256, once:
    a second run (a retry, the sweep, another worker) finds it stored and keeps that one."""
    signoff = SignOff.objects.select_related("milestone__phase__project", "signer").get(
        pk=signoff_id
    )
    if signoff.certificate:
        return signoff
    with translation.override(signoff.signer.language or None):
        pdf = signoff_certificate_pdf(signoff=signoff)
    storage = SignOff.certificate.field.storage
    name = storage.save(f"certificates/{certificate_filename(signoff)}", ContentFile(pdf))
    stored = SignOff.objects.filter(pk=signoff_id, certificate="").update(
        certificate=name, certificate_sha256=hashlib.sha256(pdf).hexdigest()
    )
    if not stored:
        storage.delete(name)  # another worker stored its copy first
    return SignOff.objects.get(pk=signoff_id)
