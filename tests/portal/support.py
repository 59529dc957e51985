"""Milestones awaiting sign-off and decisions on them, for the portal tests and the e2e ones."""

from django.test import Client as HttpClient
from django.urls import reverse

from milestones.models import Milestone, Phase, SignOff
from milestones.signoff import signoff_decision_now, signoff_record
from projects.models import Project, User
from tests.milestones.factories import MilestoneFactory, VersionFactory

NOTES = b"%PDF-1.4 release notes, first cut"
BUILD = b"PK\x03\x04 beta build"


def awaiting_milestone(project: Project, uploader: User, title: str = "Beta release") -> Milestone:
    """A milestone submitted for sign-off (round 1) with two files."""
    milestone = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.DEV_TEST),
        title=title,
        status=Milestone.Status.AWAITING_SIGNOFF,
        revision=1,
    )
    for name, content in (("notes.pdf", NOTES), ("build.zip", BUILD)):
        VersionFactory(
            deliverable__milestone=milestone,
            deliverable__title=name.split(".")[0].title(),
            original_name=name,
            content=content,
            number=1,
            uploaded_by=uploader,
        )
    return milestone


def decide(
    milestone: Milestone,
    signer: User,
    decision: str = SignOff.Decision.APPROVED,
    comment: str = "",
    typed_name: str | None = None,
) -> SignOff:
    """Signs through the service, with the milestone, files and consent text as they stand;
    the typed name is the signer's full name unless given."""
    typed_name = signer.full_name if typed_name is None else typed_name
    fields = {"decision": decision, "typed_name": typed_name, "comment": comment}
    choice = signoff_decision_now(milestone=milestone, signer=signer, **fields)
    return signoff_record(
        milestone=milestone, signer=signer, decision=choice, ip_address=None, user_agent="test"
    )


def post_decision(
    http: HttpClient, milestone: Milestone, **fields: str
) -> tuple[object, dict[str, object]]:
    """Opens the sign-off page like a person, then posts the form it showed."""
    url = reverse("portal:signoff", args=[milestone.pk])
    form = http.get(url).context["form"]
    data = {field.name: field.value() for field in form.hidden_fields()}
    data |= {"decision": "approved", "typed_name": "Alice Acme", "comment": ""} | fields
    return http.post(
        url, data, HTTP_USER_AGENT="Test browser/1.0", REMOTE_ADDR="198.51.100.7"
    ), data
