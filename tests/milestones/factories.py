import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from milestones.models import (
    AcceptanceCriterion,
    Deliverable,
    DeliverableVersion,
    Milestone,
    Phase,
    SignOff,
)
from tests.projects.factories import ProjectFactory, UserFactory


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    phase = factory.LazyFunction(lambda: ProjectFactory().phases.get(kind=Phase.Kind.PROTOTYPE))
    title = factory.Sequence(lambda n: f"Milestone {n}")
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcceptanceCriterion

    milestone = factory.SubFactory(MilestoneFactory)
    text = factory.Sequence(lambda n: f"Criterion {n}")


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    milestone = factory.SubFactory(MilestoneFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n}")


class VersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverableVersion

    class Params:
        content = b"%PDF-1.4 demo deliverable"

    deliverable = factory.SubFactory(DeliverableFactory)
    number = factory.Sequence(lambda n: n + 1)
    original_name = "spec.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload"))
    uploaded_by = factory.SubFactory(UserFactory)


CERTIFICATE = b"%PDF-1.4 a stored certificate"


class SignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignOff

    milestone = factory.SubFactory(MilestoneFactory)
    revision = 1
    milestone_title = factory.LazyAttribute(lambda o: o.milestone.title)
    decision = SignOff.Decision.APPROVED
    signer = factory.SubFactory(UserFactory)
    signer_name = "Ada Signer"
    signer_email = "ada@example.com"
    signer_organisation = "Client"
    consent_sha256 = "0" * 64
    record_hash = factory.Sequence(lambda n: f"{n:064x}")
    # What the worker stores after a decision; tests of the real rendering use the service.
    certificate = factory.django.FileField(data=CERTIFICATE, filename="sign-off.pdf")
    certificate_sha256 = hashlib.sha256(CERTIFICATE).hexdigest()
