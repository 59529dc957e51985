import datetime
import hashlib
import io
import subprocess

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from milestones import certificate, tasks
from milestones.certificate import signoff_certificate_store
from milestones.models import Milestone, SignOff
from milestones.services import milestone_update
from milestones.signoff import sha256_of, signoff_record_hash
from tests.portal.support import awaiting_milestone, decide
from tests.support import client_for


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def certificate_text(http: object, signoff: SignOff) -> str:
    signoff_certificate_store(signoff_id=signoff.pk)  # what the worker does after the decision
    response = http.get(reverse("milestones:signoff_certificate", args=[signoff.pk]))
    assert response.status_code == 200
    return " ".join(pdf_text(response.getvalue()).split())


@pytest.fixture
def signoff(client_contact, project, pm):
    milestone = awaiting_milestone(project, pm)
    signoff = decide(
        milestone, client_contact, "changes_requested", "Export is missing", "Alice Acme"
    )
    return signoff_certificate_store(signoff_id=signoff.pk)  # as the worker does


def test_the_certificate_holds_the_whole_record(client_contact, signoff) -> None:
    response = client_for(client_contact).get(
        reverse("milestones:signoff_certificate", args=[signoff.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.getvalue())
    signed = signoff.signed_at.astimezone(datetime.UTC)
    for expected in (
        "Alice Acme",
        signoff.signer_email,
        signoff.signer_organisation,
        f"{signed:%Y-%m-%d %H:%M:%S} UTC",
        "Changes requested",
        "Export is missing",
        signoff.consent_sha256,
        signoff.record_hash,
        "The record matches its hash.",
        *(entry["sha256"] for entry in signoff.manifest),
        *(entry["file_name"] for entry in signoff.manifest),
    ):
        assert expected in text, expected
    assert len(signoff.manifest) == 2


def test_the_certificate_shows_the_consent_text_that_was_signed(client_contact, signoff) -> None:
    response = client_for(client_contact).get(
        reverse("milestones:signoff_certificate", args=[signoff.pk])
    )
    # pdftotext keeps the flowing paragraph on lines we can join again.
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=response.getvalue(), capture_output=True, check=True
    ).stdout.decode()
    assert "I have reviewed the files listed above" in " ".join(text.split())


@pytest.mark.parametrize("persona", ["pm", "member", "manager"])
def test_the_project_team_opens_the_certificate_too(request, persona, signoff) -> None:
    http = client_for(request.getfixturevalue(persona))
    response = http.get(reverse("milestones:signoff_certificate", args=[signoff.pk]))
    assert response.status_code == 200
    assert response.getvalue().startswith(b"%PDF")


def test_another_clients_contact_gets_404_for_the_certificate(other_client_contact, signoff):
    url = reverse("milestones:signoff_certificate", args=[signoff.pk])
    assert client_for(other_client_contact).get(url).status_code == 404


def test_the_pm_ledger_lists_every_decision_with_its_certificate(pm, signoff) -> None:
    project = signoff.milestone.phase.project
    response = client_for(pm).get(reverse("milestones:signoff_ledger", args=[project.pk]))
    content = response.content.decode()
    assert signoff.record_hash in content
    assert reverse("milestones:signoff_certificate", args=[signoff.pk]) in content


def test_a_client_contact_has_no_ledger_page(client_contact, signoff) -> None:
    project = signoff.milestone.phase.project
    response = client_for(client_contact).get(
        reverse("milestones:signoff_ledger", args=[project.pk])
    )
    assert response.status_code == 404


def test_the_certificate_prints_the_milestone_as_signed_not_as_renamed_since(
    client_contact, pm, project
) -> None:
    milestone = awaiting_milestone(project, pm, "Beta release")
    Milestone.objects.filter(pk=milestone.pk).update(description="Checkout and search.")
    milestone.refresh_from_db()
    signoff = decide(milestone, client_contact)
    milestone_update(
        actor=pm,
        milestone=milestone,
        changes={"title": "Gamma release", "description": "Everything, with ads."},
    )
    milestone.refresh_from_db()
    assert milestone.title == "Gamma release"
    text = certificate_text(client_for(client_contact), signoff)
    assert "Beta release" in text and "Checkout and search." in text
    assert "Gamma" not in text and "with ads" not in text
    # The consent text named the title signed; it is found again through the stored one.
    assert "for the milestone “Beta release” (submission 1)" in text
    assert "The record matches its hash." in text


OLD_CONSENT = (
    "I have reviewed the files listed above, each identified by its SHA-256 fingerprint, "
    "for the milestone “%(milestone)s” (submission %(revision)s). By typing my full name "
    "and recording my decision I sign on behalf of %(organisation)s. My name, e-mail "
    "address, the time, my IP address and my browser are stored with this decision."
)


def old_record(signoff: SignOff) -> SignOff:
    """The record as it would be had it been signed before records stored the milestone, under
    the consent wording of the time."""
    consent = OLD_CONSENT % {
        "milestone": signoff.milestone.title,
        "revision": signoff.revision,
        "organisation": signoff.signer_organisation,
    }
    signoff.record_format = 1
    signoff.milestone_title = signoff.milestone_description = ""
    signoff.consent_sha256 = sha256_of(consent)
    signoff.record_hash = signoff_record_hash(signoff)
    SignOff.objects.filter(pk=signoff.pk).update(
        record_format=1,
        milestone_title="",
        milestone_description="",
        consent_sha256=signoff.consent_sha256,
        record_hash=signoff.record_hash,
    )
    return signoff


def test_an_old_record_says_what_it_did_not_store(client_contact, pm, project) -> None:
    milestone = awaiting_milestone(project, pm, "Beta release")
    signoff = old_record(decide(milestone, client_contact))
    text = certificate_text(client_for(client_contact), signoff)
    # The old consent wording is still recognised, and with it the title it names.
    assert "By typing my full name and recording my decision" in text
    assert "Title Beta release" in text
    assert "Description Not stored" in text
    assert "The record matches its hash." in text


def test_an_old_record_of_a_renamed_milestone_names_no_title(client_contact, pm, project) -> None:
    milestone = awaiting_milestone(project, pm, "Beta release")
    signoff = old_record(decide(milestone, client_contact))
    Milestone.objects.filter(pk=milestone.pk).update(title="Gamma release")
    text = certificate_text(client_for(client_contact), signoff)
    assert "Gamma" not in text and "Title Not stored" in text


def test_the_certificate_is_stored_once_with_its_hash_and_downloads_without_rendering(
    client_contact, signoff, monkeypatch
) -> None:
    stored = signoff.certificate.read()
    assert hashlib.sha256(stored).hexdigest() == signoff.certificate_sha256
    assert stored.startswith(b"%PDF")

    def no_rendering(**kwargs: object) -> bytes:
        raise AssertionError("rendered again")

    monkeypatch.setattr(certificate, "signoff_certificate_pdf", no_rendering)
    assert signoff_certificate_store(signoff_id=signoff.pk).certificate == signoff.certificate
    response = client_for(client_contact).get(
        reverse("milestones:signoff_certificate", args=[signoff.pk])
    )
    assert response.status_code == 200
    assert response.getvalue() == stored


def test_a_certificate_not_stored_yet_says_to_come_back(client_contact, project, pm) -> None:
    signoff = decide(awaiting_milestone(project, pm), client_contact)
    response = client_for(client_contact).get(
        reverse("milestones:signoff_certificate", args=[signoff.pk])
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "The certificate is being prepared" in response.content.decode()


def test_the_decision_hands_its_certificate_to_a_worker(
    client_contact, project, pm, eager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signoff = decide(awaiting_milestone(project, pm), client_contact)
    signoff.refresh_from_db()
    assert "Alice Acme" in pdf_text(signoff.certificate.read())


def test_the_sweep_stores_the_certificates_whose_hand_out_was_lost(
    client_contact, project, pm, eager
) -> None:
    signoff = decide(awaiting_milestone(project, pm), client_contact)  # its enqueue never ran
    assert tasks.sweep_certificates() == 0  # not yet: the worker may still be at it
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=2)):
        assert tasks.sweep_certificates() == 1
    signoff.refresh_from_db()
    assert signoff.certificate and signoff.certificate_sha256
    assert tasks.sweep_certificates() == 0
