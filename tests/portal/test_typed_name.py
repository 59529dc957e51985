"""The typed name is a signature: it must be the signer's full name."""

import pytest
from django.urls import reverse

from milestones.models import Milestone, SignOff
from milestones.signoff import SignOffRefused
from notifications.models import Notification
from projects.models import TaskCard
from tests.portal.support import decide, post_decision
from tests.projects.factories import ContactFactory
from tests.support import client_for


def full_width(text: str) -> str:
    """The text as an East Asian keyboard's full-width mode types it."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) for c in text)


def test_the_sign_off_page_says_whose_name_signs(client_contact, awaiting) -> None:
    page = client_for(client_contact).get(reverse("portal:signoff", args=[awaiting.pk]))
    assert "Type your full name, Alice Acme, to sign" in page.content.decode()


def test_the_consent_text_says_that_typing_the_name_is_signing(client_contact, awaiting) -> None:
    page = client_for(client_contact).get(reverse("portal:signoff", args=[awaiting.pk]))
    assert "Typing my full name is my signature" in page.context["page"].consent


def test_another_name_is_refused_on_the_page_keeping_what_was_written(
    client_contact, awaiting
) -> None:
    response, _ = post_decision(
        client_for(client_contact),
        awaiting,
        decision="changes_requested",
        comment="The export button is missing.",
        typed_name="Bob Builder",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Type your full name, Alice Acme, to sign." in html
    assert "The export button is missing." in html and 'value="Bob Builder"' in html
    assert not SignOff.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.AWAITING_SIGNOFF


@pytest.mark.parametrize(
    "typed",
    ["Alice Acme", "alice acme", "  ALICE   Acme ", full_width("Alice Acme"), "Alice\u00a0Acme"],
    ids=["exact", "case", "spacing", "full-width", "no-break space"],
)
def test_the_full_name_matches_whatever_the_case_spacing_and_width(
    client_contact, awaiting, typed
) -> None:
    response, _ = post_decision(client_for(client_contact), awaiting, typed_name=typed)
    assert response.status_code == 302
    assert SignOff.objects.get().signer_name == typed.strip()  # stored as typed


def test_a_chinese_name_is_asked_for_and_matched_the_same_way(project, awaiting) -> None:
    contact = ContactFactory(client=project.client, user__full_name="Zhang Wei").user
    http = client_for(contact)
    page = http.get(reverse("portal:signoff", args=[awaiting.pk]))
    assert "Type your full name, Zhang Wei, to sign" in page.content.decode()
    response, _ = post_decision(http, awaiting, typed_name=full_width("ZHANG WEI"))
    assert response.status_code == 302
    assert SignOff.objects.get().signer == contact


@pytest.mark.parametrize("typed", ["Mallory", "Alice", "Alice Acme Jr", "AliceAcme"])
def test_the_service_refuses_any_other_name_and_records_nothing(
    client_contact, awaiting, typed
) -> None:
    with pytest.raises(SignOffRefused, match=r"Type your full name, Alice Acme, to sign\."):
        decide(awaiting, client_contact, "changes_requested", "Not like this", typed_name=typed)
    assert not SignOff.objects.exists()
    assert not TaskCard.objects.filter(source=TaskCard.Source.CHANGES_REQUESTED).exists()
    assert not Notification.objects.filter(kind=Notification.Kind.SIGNOFF_DECIDED).exists()
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.AWAITING_SIGNOFF


def test_a_contact_without_a_full_name_is_asked_to_get_one_first(project, awaiting) -> None:
    contact = ContactFactory(client=project.client, user__full_name="").user
    http = client_for(contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    html = http.get(url).content.decode()
    assert "Your account has no full name yet" in html
    assert "Record my decision" not in html
    response, _ = post_decision(http, awaiting, typed_name=contact.email)
    assert "Your account has no full name yet" in response.content.decode()
    with pytest.raises(SignOffRefused, match="no full name"):
        decide(awaiting, contact, typed_name="")
    assert not SignOff.objects.exists()
