from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from milestones.models import SignOff
from milestones.signoff import signoff_record_hash
from tests.milestones.factories import MilestoneFactory
from tests.projects.factories import ContactFactory

BEFORE = [("milestones", "0002_initial")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_the_change(transactional_db: None) -> Iterator[MigrationExecutor]:
    """The schema as it was before sign-offs stored the milestone; every later test gets the
    latest schema back, whatever happens here."""
    try:
        yield migrate(BEFORE)
    finally:
        migrate(latest())


def test_records_signed_before_the_change_become_format_1_and_still_verify(
    before_the_change: MigrationExecutor,
) -> None:
    milestone = MilestoneFactory(title="Beta release")
    signer = ContactFactory().user
    old_model = before_the_change.loader.project_state(BEFORE).apps.get_model(
        "milestones", "SignOff"
    )
    fields = {
        "milestone_id": milestone.pk,
        "revision": 1,
        "decision": "approved",
        "signer_id": signer.pk,
        "signer_name": "Ada Signer",
        "signer_email": signer.email,
        "signer_organisation": "Acme",
        "manifest": [],
        "consent_sha256": "c" * 64,
        "record_hash": "0" * 64,
    }
    row = old_model.objects.create(**fields)
    # The hash as the code of the time computed it, over the fields a record then had.
    legacy = SignOff(pk=row.pk, signed_at=row.signed_at, record_format=1, **fields)
    old_model.objects.filter(pk=row.pk).update(record_hash=signoff_record_hash(legacy))

    migrate(latest())  # the change, and every migration since

    signoff = SignOff.objects.get(pk=row.pk)
    assert signoff.record_format == 1
    assert (signoff.milestone_title, signoff.milestone_description) == ("", "")
    assert signoff.milestone_criteria == []
    call_command("verify_signoffs")
    assert SignOff._meta.get_field("record_format").default == SignOff.FORMAT_CURRENT == 2
