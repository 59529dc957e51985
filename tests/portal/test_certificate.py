import datetime
import io
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.portal.support import awaiting_milestone, decide
from tests.support import client_for


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def signoff(client_contact, project, pm):
    milestone = awaiting_milestone(project, pm)
    return decide(milestone, client_contact, "changes_requested", "Export is missing", "Alice Acme")


def test_the_certificate_holds_the_whole_record(client_contact, signoff) -> None:
    response = client_for(client_contact).get(
        reverse("milestones:signoff_certificate", args=[signoff.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.content)
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
        ["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True
    ).stdout.decode()
    assert "I have reviewed the files listed above" in " ".join(text.split())


@pytest.mark.parametrize("persona", ["pm", "member", "manager"])
def test_the_project_team_opens_the_certificate_too(request, persona, signoff) -> None:
    http = client_for(request.getfixturevalue(persona))
    response = http.get(reverse("milestones:signoff_certificate", args=[signoff.pk]))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


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
