import datetime
import hashlib
import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from milestones.models import Milestone, SignOff
from milestones.services import milestone_update
from milestones.signoff import SignOffRefused, client_ip, sha256_of, signoff_record_hash
from notifications.models import Notification
from projects.models import TaskCard, User
from tests.milestones.factories import CriterionFactory, MilestoneFactory, VersionFactory
from tests.portal.support import BUILD, NOTES, awaiting_milestone, decide, post_decision
from tests.projects.factories import ContactFactory
from tests.support import client_for


def test_approving_records_the_signer_the_files_and_the_evidence(client_contact, awaiting, pm):
    response, shown = post_decision(client_for(client_contact), awaiting)
    assert response.status_code == 302
    signoff = SignOff.objects.get()
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.APPROVED and awaiting.approved_at
    assert (signoff.decision, signoff.revision, signoff.signer) == ("approved", 1, client_contact)
    assert signoff.signer_name == "Alice Acme"
    assert signoff.signer_email == client_contact.email
    assert signoff.signer_organisation == client_contact.contact.client.name
    assert signoff.ip_address == "198.51.100.7"
    assert signoff.user_agent == "Test browser/1.0"
    hashes = {entry["file_name"]: entry["sha256"] for entry in signoff.manifest}
    assert hashes == {
        "notes.pdf": hashlib.sha256(NOTES).hexdigest(),
        "build.zip": hashlib.sha256(BUILD).hexdigest(),
    }
    assert signoff.consent_sha256 == shown["consent_sha256"]
    assert signoff.previous_hash == ""
    assert signoff.record_hash == signoff_record_hash(signoff)
    notice = Notification.objects.get(recipient=pm)
    assert notice.kind == Notification.Kind.SIGNOFF_DECIDED
    assert awaiting.phase.project.activities.filter(verb="signoff.approved", client_visible=True)


def test_the_consent_text_shown_is_the_one_whose_hash_is_stored(client_contact, awaiting):
    http = client_for(client_contact)
    page = http.get(reverse("portal:signoff", args=[awaiting.pk]))
    consent = page.context["page"].consent
    assert consent in page.content.decode()
    post_decision(http, awaiting)
    assert SignOff.objects.get().consent_sha256 == hashlib.sha256(consent.encode()).hexdigest()


def test_each_record_carries_the_hash_of_the_one_before(client_contact, project, pm):
    first = decide(awaiting_milestone(project, pm, "One"), client_contact)
    second = decide(awaiting_milestone(project, pm, "Two"), client_contact)
    assert second.previous_hash == first.record_hash


def test_requesting_changes_needs_a_comment_and_keeps_what_was_typed(client_contact, awaiting):
    response, _ = post_decision(
        client_for(client_contact), awaiting, decision="changes_requested", typed_name="Al Acme"
    )
    assert response.status_code == 200
    assert "Say what needs to change." in response.content.decode()
    assert 'value="Al Acme"' in response.content.decode()
    assert not SignOff.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.AWAITING_SIGNOFF


def test_a_typed_name_is_required(client_contact, awaiting):
    response, _ = post_decision(client_for(client_contact), awaiting, typed_name="  ")
    assert "Type your full name, Alice Acme, to sign." in response.content.decode()
    assert not SignOff.objects.exists()


def test_requesting_changes_sends_the_milestone_back_with_a_card_for_the_pm(
    client_contact, awaiting, pm
):
    project = awaiting.phase.project
    todo_before = project.cards.filter(status="todo").count()
    response, _ = post_decision(
        client_for(client_contact),
        awaiting,
        decision="changes_requested",
        comment="The export button is missing.",
    )
    assert response.status_code == 302
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.CHANGES_REQUESTED
    assert awaiting.approved_at is None
    card = TaskCard.objects.get(source=TaskCard.Source.CHANGES_REQUESTED)
    assert card.description == "The export button is missing."
    assert (card.revision_round, card.assignee, card.status) == (1, pm, "todo")
    assert card.milestone == awaiting
    assert card.position == todo_before  # at the bottom of To do
    assert Notification.objects.filter(recipient=pm, kind="signoff_decided").exists()


def test_a_second_decision_on_the_same_submission_is_refused_with_a_message(
    client_contact, awaiting
):
    colleague = ContactFactory(client=client_contact.contact.client, user__full_name="Bo").user
    first, second = client_for(client_contact), client_for(colleague)
    page_of_second = second.get(reverse("portal:signoff", args=[awaiting.pk])).context["form"]
    post_decision(first, awaiting)
    data = {field.name: field.value() for field in page_of_second.hidden_fields()}
    data |= {"decision": "changes_requested", "comment": "No!", "typed_name": "Bo"}
    response = second.post(reverse("portal:signoff", args=[awaiting.pk]), data, follow=True)
    assert "Alice Acme already recorded a decision on this submission" in (
        response.content.decode()
    )
    assert SignOff.objects.count() == 1
    assert SignOff.objects.get().decision == "approved"
    assert not TaskCard.objects.filter(source=TaskCard.Source.CHANGES_REQUESTED).exists()


def test_files_changed_after_the_page_was_opened_are_not_signed(client_contact, awaiting, pm):
    http = client_for(client_contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    form = http.get(url).context["form"]
    VersionFactory(deliverable=awaiting.deliverables.first(), number=2, uploaded_by=pm)
    data = {field.name: field.value() for field in form.hidden_fields()}
    data |= {"decision": "approved", "typed_name": "Alice Acme"}
    response = http.post(url, data, follow=True)
    assert "The files changed while you were reviewing them" in response.content.decode()
    assert not SignOff.objects.exists()
    awaiting.refresh_from_db()
    assert awaiting.status == Milestone.Status.AWAITING_SIGNOFF


def test_a_consent_hash_other_than_the_text_shown_is_refused_and_records_nothing(
    client_contact, awaiting
):
    http = client_for(client_contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    form = http.get(url).context["form"]
    data = {field.name: field.value() for field in form.hidden_fields()}
    data |= {"decision": "approved", "typed_name": "Alice Acme", "consent_sha256": "0" * 64}
    response = http.post(url, data, follow=True)
    assert "The consent text changed. Read it again, then sign." in response.content.decode()
    assert not SignOff.objects.exists()
    assert not awaiting.phase.project.activities.filter(verb__startswith="signoff.").exists()
    assert not Notification.objects.filter(kind=Notification.Kind.SIGNOFF_DECIDED).exists()
    awaiting.refresh_from_db()
    assert (awaiting.status, awaiting.approved_at) == (Milestone.Status.AWAITING_SIGNOFF, None)


def test_the_record_stores_the_milestone_as_the_page_showed_it(client_contact, awaiting):
    Milestone.objects.filter(pk=awaiting.pk).update(description="Checkout and search, no ads.")
    CriterionFactory(milestone=awaiting, text="INTERNAL coverage at least 90 %")
    http = client_for(client_contact)
    shown = http.get(reverse("portal:signoff", args=[awaiting.pk])).context["page"].milestone
    post_decision(http, awaiting)
    signoff = SignOff.objects.get()
    stored = {
        "title": signoff.milestone_title,
        "description": signoff.milestone_description,
        "criteria": signoff.milestone_criteria,
    }
    # The criteria are internal checks: the page shows none, so the record holds none.
    assert (
        stored
        == shown
        == {
            "title": "Beta release",
            "description": "Checkout and search, no ads.",
            "criteria": [],
        }
    )
    assert signoff.record_format == SignOff.FORMAT_CURRENT


def test_a_milestone_changed_while_the_page_was_open_is_not_signed(client_contact, awaiting):
    http = client_for(client_contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    form = http.get(url).context["form"]
    # Behind the services' back: they would have reopened it, and the claim would refuse.
    Milestone.objects.filter(pk=awaiting.pk).update(description="Now with ads.")
    data = {field.name: field.value() for field in form.hidden_fields()}
    data |= {"decision": "approved", "typed_name": "Alice Acme"}
    response = http.post(url, data, follow=True)
    assert "The milestone changed while you were reviewing it" in response.content.decode()
    assert not SignOff.objects.exists()


def test_editing_the_milestone_while_the_client_reviews_withdraws_it(client_contact, awaiting, pm):
    http = client_for(client_contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    form = http.get(url).context["form"]
    milestone_update(actor=pm, milestone=awaiting, changes={"description": "Now with ads."})
    data = {field.name: field.value() for field in form.hidden_fields()}
    data |= {"decision": "approved", "typed_name": "Alice Acme"}
    response = http.post(url, data, follow=True)
    assert "no longer waiting for your sign-off" in response.content.decode()
    assert not SignOff.objects.exists()


def test_a_milestone_not_awaiting_sign_off_shows_no_form_and_refuses_a_post(
    client_contact, awaiting
):
    Milestone.objects.filter(pk=awaiting.pk).update(status=Milestone.Status.IN_PROGRESS)
    http = client_for(client_contact)
    page = http.get(reverse("portal:signoff", args=[awaiting.pk]))
    assert "not waiting for a sign-off" in page.content.decode()
    assert "Record my decision" not in page.content.decode()
    with pytest.raises(SignOffRefused, match="no longer waiting"):
        decide(awaiting, client_contact)


def test_an_outside_contact_cannot_see_or_sign(other_client_contact, awaiting):
    http = client_for(other_client_contact)
    url = reverse("portal:signoff", args=[awaiting.pk])
    assert http.get(url).status_code == 404
    assert http.post(url, {"decision": "approved", "typed_name": "x"}).status_code == 404
    assert not SignOff.objects.exists()


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "192.0.2.1"),
        (1, "203.0.113.66, 203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.66, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "192.0.2.1"),
        (1, "not-an-address", None),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db(transaction=True)
def test_simultaneous_decisions_record_exactly_one(project, pm, client_contact):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs transactions side by side")
    colleague = ContactFactory(client=project.client).user
    milestones = [awaiting_milestone(project, pm, f"Race {n}") for n in range(3)]
    outcomes: list[str] = []
    for milestone in milestones:
        barrier = threading.Barrier(2)

        def sign(
            signer: User,
            decision: str,
            milestone: Milestone = milestone,
            barrier: threading.Barrier = barrier,
        ) -> None:
            try:
                barrier.wait()
                decide(milestone, signer, decision, comment="Needs work")
                outcomes.append("recorded")
            except SignOffRefused:
                outcomes.append("refused")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=sign, args=(client_contact, "approved")),
            threading.Thread(target=sign, args=(colleague, "changes_requested")),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert sorted(outcomes) == ["recorded"] * 3 + ["refused"] * 3
    for milestone in milestones:
        assert SignOff.objects.filter(milestone=milestone).count() == 1
        milestone.refresh_from_db()
        decided = SignOff.objects.get(milestone=milestone).decision
        assert milestone.status == decided
    call_command("verify_signoffs")


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_offs_on_different_milestones_keep_the_chain_whole(
    project, pm, client_contact
):
    """Different milestones claim different rows, so only the chain's lock keeps two records
    from naming the same predecessor."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that runs transactions side by side")
    colleague = ContactFactory(client=project.client).user
    rounds = 4
    milestones = [awaiting_milestone(project, pm, f"Parallel {n}") for n in range(2 * rounds)]
    errors: list[BaseException] = []
    for index in range(rounds):
        barrier = threading.Barrier(2)

        def sign(signer: User, milestone: Milestone, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                decide(milestone, signer)
            except BaseException as error:  # reported by the main thread
                errors.append(error)
            finally:
                connection.close()

        pair = milestones[2 * index : 2 * index + 2]
        threads = [
            threading.Thread(target=sign, args=(client_contact, pair[0])),
            threading.Thread(target=sign, args=(colleague, pair[1])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not errors
    assert SignOff.objects.count() == 2 * rounds
    call_command("verify_signoffs")


def test_a_stored_title_altered_in_the_database_fails_verify_signoffs(client_contact, awaiting):
    post_decision(client_for(client_contact), awaiting)
    signoff = SignOff.objects.get()
    call_command("verify_signoffs")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE milestones_signoff SET milestone_title = %s WHERE id = %s",
            ["Something else entirely", signoff.pk],
        )
    with pytest.raises(CommandError, match=rf"first broken record is sign-off {signoff.pk}:"):
        call_command("verify_signoffs")


# Computed by the record hash before sign-offs stored the milestone: such records must verify.
LEGACY_HASH = "6daaa19ba4487f02a69bfe21b9bd8e0f62b53e1c390ffcebe7365ed4a337853b"


def legacy_record(**fields: object) -> SignOff:
    entry = {"deliverable_id": 3, "deliverable": "Spec", "version_id": 9, "version": 1}
    entry |= {"file_name": "spec.pdf", "size": 10, "sha256": "a" * 64}
    values = {
        "pk": 41,
        "milestone_id": 7,
        "revision": 2,
        "decision": "approved",
        "signer_id": 12,
        "signer_name": "Zhang Wei",
        "signer_email": "zhang.wei@acme.example",
        "signer_organisation": "Acme",
        "signed_at": datetime.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.UTC),
        "ip_address": "198.51.100.7",
        "user_agent": "Browser/1.0",
        "manifest": [entry],
        "consent_sha256": "c" * 64,
        "previous_hash": "b" * 64,
        "record_format": 1,
    }
    return SignOff(**(values | fields))


def test_a_record_from_before_the_stored_milestone_keeps_its_hash() -> None:
    assert signoff_record_hash(legacy_record()) == LEGACY_HASH


@pytest.mark.parametrize(
    "added",
    [
        {"milestone_title": "Backdated title"},
        {"milestone_description": "Backdated text"},
        {"milestone_criteria": ["Backdated"]},
        {"record_format": 2},
    ],
)
def test_text_put_into_an_old_record_later_changes_its_hash(added) -> None:
    assert signoff_record_hash(legacy_record(**added)) != LEGACY_HASH


def test_old_and_new_records_verify_together_and_an_old_one_given_a_title_fails(
    ledger, project, pm, client_contact
) -> None:
    milestone = awaiting_milestone(project, pm, "Signed last year")
    old = SignOff.objects.create(
        **{
            name: getattr(legacy_record(), name)
            for name in ("revision", "decision", "signer_name", "signer_email", "manifest")
        },
        milestone=milestone,
        signer=client_contact,
        signer_organisation="Acme",
        consent_sha256="c" * 64,
        previous_hash=ledger[-1].record_hash,
        record_format=1,
        record_hash=uuid.uuid4().hex,
    )
    SignOff.objects.filter(pk=old.pk).update(record_hash=signoff_record_hash(old))
    call_command("verify_signoffs")
    SignOff.objects.filter(pk=old.pk).update(milestone_title="Backdated title")
    with pytest.raises(CommandError, match=rf"first broken record is sign-off {old.pk}:"):
        call_command("verify_signoffs")


# One edit per stored column: each must break the record it is made in.
EDITS = {
    "id": lambda s: s.pk + 1000,
    "milestone_id": lambda s: MilestoneFactory(phase=s.milestone.phase).pk,
    "revision": lambda s: s.revision + 1,
    "record_format": lambda s: 1,
    "milestone_title": lambda s: s.milestone_title + " (renamed)",
    "milestone_description": lambda s: s.milestone_description + " and more",
    "milestone_criteria": lambda s: [*s.milestone_criteria, "Slipped in later"],
    "decision": lambda s: "approved",
    "comment": lambda s: s.comment + ".",
    "signer_id": lambda s: ContactFactory().user_id,
    "signer_name": lambda s: "Mallory",
    "signer_email": lambda s: "mallory@example.com",
    "signer_organisation": lambda s: "Evil Corp",
    "signed_at": lambda s: s.signed_at.replace(microsecond=(s.signed_at.microsecond + 1) % 10**6),
    "ip_address": lambda s: "203.0.113.250",
    "user_agent": lambda s: "curl/8",
    "manifest": lambda s: [{**s.manifest[0], "sha256": "0" * 64}, *s.manifest[1:]],
    "consent_sha256": lambda s: "f" * 64,
    "previous_hash": lambda s: "e" * 64,
    "record_hash": lambda s: "d" * 64,
}


# The certificate prints the record (and says whether it is intact); it is not the record.
RENDERINGS = {"certificate", "certificate_sha256"}


def test_every_stored_column_is_covered_by_a_tampering_test() -> None:
    assert set(EDITS) | RENDERINGS == {field.attname for field in SignOff._meta.concrete_fields}


@pytest.fixture
def ledger(project, pm, client_contact) -> list[SignOff]:
    return [
        decide(awaiting_milestone(project, pm, "First"), client_contact),
        decide(
            awaiting_milestone(project, pm, "Second"), client_contact, "changes_requested", "Fix"
        ),
        decide(awaiting_milestone(project, pm, "Third"), client_contact),
    ]


def test_verify_signoffs_passes_on_an_intact_chain(ledger, capsys) -> None:
    call_command("verify_signoffs")
    assert "3 sign-off records intact" in capsys.readouterr().out


@pytest.mark.parametrize("column", sorted(EDITS))
def test_editing_a_stored_field_makes_verify_signoffs_name_that_record(ledger, column) -> None:
    target = ledger[1]
    value = EDITS[column](target)
    SignOff.objects.filter(pk=target.pk).update(**{column: value})
    edited = value if column == "id" else target.pk
    with pytest.raises(CommandError, match=rf"first broken record is sign-off {edited}:"):
        call_command("verify_signoffs")


def test_a_deleted_record_is_named_through_its_successor(ledger) -> None:
    SignOff.objects.filter(pk=ledger[1].pk).delete()
    with pytest.raises(CommandError, match=rf"sign-off {ledger[2].pk}: the record before it"):
        call_command("verify_signoffs")


def test_the_manifest_hash_is_independent_of_key_order() -> None:
    assert sha256_of([{"a": 1, "b": "x"}]) == sha256_of([{"b": "x", "a": 1}])
