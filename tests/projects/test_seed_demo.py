import hashlib

import pytest
from django.core.management import CommandError, call_command

from milestones.models import DeliverableVersion, Milestone, SignOff
from projects.models import ClientContact, Project, TaskCard, User

EMAILS = {
    "manager@example.com",
    "pm@example.com",
    "pm2@example.com",
    "dev@example.com",
    "client@acme.example",
    "client2@acme.example",
    "client@globex.example",
}


def test_seed_demo_creates_the_demo_and_is_safe_to_run_twice(db, settings, capsys) -> None:
    settings.DEBUG = True
    call_command("seed_demo", password="pw-for-test-1")
    counts = (Project.objects.count(), TaskCard.objects.count(), Milestone.objects.count())
    call_command("seed_demo", password="pw-for-test-1")
    assert (Project.objects.count(), TaskCard.objects.count(), Milestone.objects.count()) == counts
    assert set(User.objects.values_list("email", flat=True)) == EMAILS
    assert Project.objects.values("client").distinct().count() == 2
    assert counts[0] == 3 and 55 <= counts[1] <= 65
    assert Milestone.objects.filter(status="awaiting_signoff").exists()
    cards = TaskCard.objects.exclude(status="done")
    assert cards.filter(due_date__lt=cards.first().created_at.date()).exists()
    assert TaskCard.objects.filter(status="blocked").exclude(blocked_reason="").exists()
    assert cards.filter(responsible="client").exists()
    assert ClientContact.objects.get(user__email="client@globex.example").client.name.startswith(
        "Globex"
    )
    assert User.objects.get(email="pm@example.com").check_password("pw-for-test-1")
    assert "client@globex.example" in capsys.readouterr().out


def test_seed_demo_signs_off_through_the_real_service(db, settings, capsys) -> None:
    settings.DEBUG = True
    call_command("seed_demo", password="pw-for-test-1")
    call_command("seed_demo", password="pw-for-test-1")
    approved = SignOff.objects.filter(decision="approved").select_related("milestone")
    assert approved.exists()
    assert all(signoff.milestone.status == "approved" for signoff in approved)
    sent_back = SignOff.objects.get(decision="changes_requested")
    assert sent_back.milestone.status == "changes_requested" and sent_back.comment
    card = TaskCard.objects.get(source="changes_requested")
    assert card.milestone == sent_back.milestone and card.revision_round == 1
    assert TaskCard.objects.filter(source="feedback").count() == 2
    assert TaskCard.objects.exclude(attachment="").filter(source="feedback").exists()
    for version in DeliverableVersion.objects.all():
        assert hashlib.sha256(version.file.read()).hexdigest() == version.sha256
    call_command("verify_signoffs")
    assert "records intact" in capsys.readouterr().out


def test_seed_demo_refuses_in_production_unless_forced(db, settings) -> None:
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    call_command("seed_demo", force=True)
    assert Project.objects.count() == 3
