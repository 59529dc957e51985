import socket
from collections.abc import Iterator

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.test import Client as HttpClient

from milestones.models import Phase
from projects.models import Project, TaskCard, User
from tests.milestones.factories import (
    CriterionFactory,
    MilestoneFactory,
    SignOffFactory,
    VersionFactory,
)
from tests.notifications.factories import NotificationFactory
from tests.projects.factories import CardFactory, ContactFactory, ProjectFactory, UserFactory
from tests.reports.factories import StatusReportFactory
from tests.support import ProjectObjects, RunningWorker


@pytest.fixture(autouse=True, scope="session")
def _compiled_catalogues() -> None:
    """The .mo files are build output: a plain `pytest` on a fresh checkout compiles them, and
    a .po edited since the last build is compiled again."""
    from clientprogress import catalogues

    for po in catalogues.stale_catalogues():
        catalogues.compile_catalogue(po)


# Real SMTP servers and a Redis of the test's own, for the mail tests of every folder.
pytest_plugins = ["tests.mail_support"]


@pytest.fixture(autouse=True)
def _fast_passwords_and_private_media(settings: object, tmp_path: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_caches() -> None:
    """Rolled-back tests reuse ids, so a page cached by one test could answer in the next."""
    for cache in caches.all():
        cache.clear()


@pytest.fixture
def manager(db: None) -> User:
    return UserFactory(role=User.Role.MANAGER, email="manager@example.com")


@pytest.fixture
def pm(db: None) -> User:
    return UserFactory(role=User.Role.PM, email="pm@example.com")


@pytest.fixture
def member(db: None) -> User:
    return UserFactory(role=User.Role.MEMBER, email="dev@example.com")


@pytest.fixture
def project(pm: User, member: User) -> Project:
    project = ProjectFactory(pm=pm, name="Portal relaunch")
    project.team.add(member)
    return project


@pytest.fixture
def client_contact(project: Project) -> User:
    return ContactFactory(
        client=project.client, user__email="client@acme.example", user__full_name="Alice Acme"
    ).user


@pytest.fixture
def other_client_contact(db: None) -> User:
    return ContactFactory(user__email="client@globex.example").user


@pytest.fixture
def anonymous() -> HttpClient:
    return HttpClient()


@pytest.fixture
def project_objects(project: Project, pm: User, client_contact: User) -> ProjectObjects:
    milestone = MilestoneFactory(phase=project.phases.get(kind=Phase.Kind.PROTOTYPE))
    version = VersionFactory(deliverable__milestone=milestone, uploaded_by=pm)
    # The client's to do, with their file: every portal page of a card answers for it.
    card = CardFactory(
        project=project,
        milestone=milestone,
        client_visible=True,
        responsible=TaskCard.Responsible.CLIENT,
        attachment=ContentFile(b"%PDF-1.4 client's notes", name="notes.pdf"),
        attachment_name="notes.pdf",
    )
    ids = {
        "project_id": project.pk,
        "phase_id": milestone.phase_id,
        "milestone_id": milestone.pk,
        "card_id": card.pk,
        "deliverable_id": version.deliverable_id,
        "version_id": version.pk,
        "criterion_id": CriterionFactory(milestone=milestone).pk,
        # The client decided on the file, so the portal lets them download it.
        "signoff_id": SignOffFactory(
            milestone=milestone,
            signer=client_contact,
            manifest=[{"version_id": version.pk, "sha256": version.sha256}],
        ).pk,
        "notification_id": NotificationFactory(recipient=pm, project=project).pk,
        "report_id": StatusReportFactory(project=project, audience="client").pk,
    }
    return ProjectObjects(project=project, ids=ids)


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[RunningWorker]:
    """Tests with a worker commit for real: the worker reads what they wrote, and starting it
    closes the test's database connection, which a test inside one transaction cannot survive."""
    from celery.contrib.testing.worker import start_worker

    from clientprogress.celery import app

    app.control.purge()  # messages left by earlier tests are not this test's
    # Named after the run's own queue: the default name is a development worker's on this host.
    hostname = f"{app.conf.task_default_queue}@{socket.gethostname()}"
    with start_worker(
        app, pool="solo", perform_ping_check=False, shutdown_timeout=10, hostname=hostname
    ):
        yield RunningWorker(app)
