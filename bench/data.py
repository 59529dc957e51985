"""Data for the bench scripts, made the way the product makes it (its services and models), so
that bench runs without the test package. Import after django.setup()."""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from milestones.models import Milestone, Phase, SignOff
from milestones.services import deliverable_create, milestone_create, milestone_submit
from milestones.services import project_create as _project_create
from milestones.signoff import signoff_decision_now, signoff_record
from projects.models import Client, ClientContact, Project, TaskCard, User
from projects.services import card_create

PASSWORD = "bench password"
# A milestone's files as a client signs them: what each deliverable's one version holds.
FILES = (
    ("notes.pdf", "application/pdf", b"%PDF-1.4 release notes, first cut"),
    ("build.zip", "application/zip", b"PK\x03\x04 beta build"),
)

_numbers = itertools.count(1)


def user(role: str = User.Role.MEMBER, **fields: object) -> User:
    number = next(_numbers)
    fields.setdefault("full_name", f"Bench {role} {number}")
    email = fields.pop("email", f"{role}{number}@bench.example")
    return User.objects.create_user(email, PASSWORD, role=role, **fields)


def client(**fields: object) -> Client:
    fields.setdefault("name", f"Bench client {next(_numbers)}")
    fields.setdefault("time_zone", "Europe/Berlin")  # as the figures so far were measured
    return Client.objects.create(**fields)


def contact(of: Client) -> User:
    """A client contact of that organisation, who can log in to the portal."""
    person = user(User.Role.CLIENT)
    ClientContact.objects.create(user=person, client=of)
    return person


def project(*, pm: User | None = None, **fields: object) -> Project:
    """A project with its four phases, from a month ago to three months ahead unless told."""
    pm = pm or user(User.Role.PM)
    number = next(_numbers)
    today = timezone.localdate()
    fields.setdefault("client", client())
    fields.setdefault("name", f"Bench project {number}")
    fields.setdefault("code", f"BENCH-{number}")
    fields.setdefault("start_date", today - datetime.timedelta(days=30))
    fields.setdefault("end_date", today + datetime.timedelta(days=90))
    return _project_create(actor=pm, pm=pm, **fields)


def card(of: Project, **fields: object) -> TaskCard:
    fields.setdefault("title", f"Card {next(_numbers)}")
    return card_create(actor=of.pm, project=of, **fields)


def awaiting_milestone(of: Project, title: str = "Beta release") -> Milestone:
    """A milestone of the dev & test phase with two files, submitted for sign-off (round 1)."""
    milestone = milestone_create(
        actor=of.pm,
        phase=of.phases.get(kind=Phase.Kind.DEV_TEST),
        title=title,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
    )
    for name, content_type, content in FILES:
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        deliverable_create(
            actor=of.pm, milestone=milestone, title=name.split(".")[0].title(), upload=upload
        )
    return milestone_submit(actor=of.pm, milestone=milestone)


def decide(milestone: Milestone, signer: User, typed_name: str = "Alice Acme") -> SignOff:
    """Approves the milestone as the sign-off page does, with the files and consent text as
    they stand."""
    fields = {"decision": SignOff.Decision.APPROVED, "typed_name": typed_name, "comment": ""}
    choice = signoff_decision_now(milestone=milestone, signer=signer, **fields)
    return signoff_record(
        milestone=milestone, signer=signer, decision=choice, ip_address=None, user_agent="bench"
    )
