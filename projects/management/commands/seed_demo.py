import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from milestones.models import Deliverable, DeliverableVersion, Milestone, SignOff
from milestones.services import project_create
from milestones.signoff import signoff_decision_now, signoff_record
from projects.models import Client, ClientContact, Project, TaskCard, User
from projects.portal.services import feedback_create
from projects.services import card_create

USERS = [
    ("manager@example.com", "Maria Manager", User.Role.MANAGER, None),
    ("pm@example.com", "Paul Planner", User.Role.PM, None),
    ("pm2@example.com", "Petra Lead", User.Role.PM, None),
    ("dev@example.com", "Dev Eloper", User.Role.MEMBER, None),
    ("client@acme.example", "Alice Acme", User.Role.CLIENT, "Acme Corporation"),
    ("client2@acme.example", "Bob Acme", User.Role.CLIENT, "Acme Corporation"),
    ("client@globex.example", "Grace Globex", User.Role.CLIENT, "Globex Industries"),
]
CLIENTS = {"Acme Corporation": "Europe/Berlin", "Globex Industries": "America/New_York"}


@dataclass(frozen=True)
class DemoProject:
    code: str
    name: str
    client: str
    pm: str
    start: int  # days from today
    end: int
    # (phase kind, title, due in days from today, status)
    milestones: tuple[tuple[str, str, int, str], ...]


PROJECTS = [
    DemoProject(
        "ACME-PORTAL",
        "Customer portal relaunch",
        "Acme Corporation",
        "pm@example.com",
        -90,
        60,
        (
            ("requirements", "Requirements signed off", -70, "approved"),
            ("prototype", "Clickable prototype", -35, "approved"),
            ("dev_test", "Beta release on staging", -3, "awaiting_signoff"),
            ("dev_test", "Load test report", 12, "in_progress"),
            ("acceptance", "Go-live", 55, "planned"),
        ),
    ),
    DemoProject(
        "ACME-FIELD",
        "Field service app",
        "Acme Corporation",
        "pm2@example.com",
        -30,
        120,
        (
            ("requirements", "User stories agreed", -12, "changes_requested"),
            ("prototype", "Offline sync spike", 20, "planned"),
            ("dev_test", "First store build", 70, "planned"),
        ),
    ),
    DemoProject(
        "GLOBEX-ERP",
        "ERP data migration",
        "Globex Industries",
        "pm@example.com",
        -200,
        10,
        (
            ("requirements", "Data mapping approved", -170, "approved"),
            ("prototype", "Trial migration", -120, "approved"),
            ("dev_test", "Full dress rehearsal", -30, "approved"),
            ("acceptance", "Cut-over sign-off", 5, "awaiting_signoff"),
        ),
    ),
]

CARD_TITLES = [
    "Set up CI pipeline",
    "Design login screen",
    "Import product catalogue",
    "Write API docs",
    "Review accessibility report",
    "Fix date picker on Safari",
    "Provide test accounts",
    "Send brand assets",
    "Approve copy for landing page",
    "Configure SSO",
    "Migrate customer records",
    "Performance tuning",
    "Security review",
    "Prepare release notes",
    "Train support team",
    "Set up monitoring",
    "Translate UI strings",
    "Confirm hosting contract",
    "Payment provider sandbox",
    "Data retention policy",
]
STATUS_CYCLE = ["done", "done", "in_progress", "todo", "in_review", "blocked", "todo", "done"]
CLIENT_OWED = {"Provide test accounts", "Send brand assets", "Approve copy for landing page"}
# Who signs for each client, and who sends a milestone back.
SIGNERS = {"Acme Corporation": "client@acme.example", "Globex Industries": "client@globex.example"}
SENDS_BACK = "client2@acme.example"
# Decided milestones are submitted first, then signed through the sign-off service, so that
# their records, hash chain and certificates are the real thing.
DECIDED = {
    "approved": SignOff.Decision.APPROVED,
    "changes_requested": SignOff.Decision.CHANGES_REQUESTED,
}
FEEDBACK = [
    "The search results page loads slowly on my phone.\nIt takes about five seconds on 4G.",
    "Could the invoice export include our cost centre?",
]


class Command(BaseCommand):
    help = "Creates demo clients, users, projects, milestones and cards. Safe to run twice."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default="demo-pass-2026", help="Password for demo users")
        parser.add_argument("--force", action="store_true", help="Run even with DEBUG off")

    def handle(self, *args: object, password: str, force: bool, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Add --force to seed.")
        with transaction.atomic():
            users = {
                email: self._user(email, name, role, password) for email, name, role, _c in USERS
            }
            clients = {name: self._client(name, tz) for name, tz in CLIENTS.items()}
            for email, _n, _r, client_name in USERS:
                if client_name:
                    ClientContact.objects.get_or_create(
                        user=users[email], defaults={"client": clients[client_name]}
                    )
            created = [
                spec.code
                for index, spec in enumerate(PROJECTS)
                if self._project(spec, users, clients[spec.client], index)
            ]
        self.stdout.write(
            self.style.SUCCESS(f"Demo projects created: {', '.join(created) or 'none (all exist)'}")
        )
        self.stdout.write("Logins (all with the same password):")
        for email, _name, role, _c in USERS:
            self.stdout.write(f"  {email:<26} {User.Role(role).label:<16} {password}")

    def _user(self, email: str, name: str, role: str, password: str) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "role": role}
        )
        if created or not user.check_password(password):
            user.is_staff = user.is_superuser = role == User.Role.MANAGER
            user.set_password(password)
            user.save()
        return user

    def _client(self, name: str, time_zone: str) -> Client:
        return Client.objects.get_or_create(name=name, defaults={"time_zone": time_zone})[0]

    def _project(self, spec: DemoProject, users: dict, client: Client, index: int) -> bool:
        if Project.objects.filter(code=spec.code).exists():
            return False
        today = timezone.localdate()
        pm = users[spec.pm]
        dev = users["dev@example.com"]
        project = project_create(
            actor=pm,
            client=client,
            name=spec.name,
            code=spec.code,
            pm=pm,
            start_date=today + datetime.timedelta(days=spec.start),
            end_date=today + datetime.timedelta(days=spec.end),
            team=[dev],
        )
        phases = {phase.kind: phase for phase in project.phases.all()}
        milestones = []
        for kind, title, due, status in spec.milestones:
            submitted = status == "awaiting_signoff" or status in DECIDED
            milestone = Milestone.objects.create(
                phase=phases[kind],
                title=title,
                due_date=today + datetime.timedelta(days=due),
                status="awaiting_signoff" if submitted else status,
                revision=1 if submitted else 0,
                submitted_at=timezone.now() if submitted else None,
            )
            if submitted:
                self._deliverables(milestone, pm)
            if status in DECIDED:
                self._decide(milestone, users, spec.client, DECIDED[status])
            milestones.append(milestone)
        for number, title in enumerate(CARD_TITLES):
            status = STATUS_CYCLE[(number + index) % len(STATUS_CYCLE)]
            owed = title in CLIENT_OWED
            card_create(
                actor=pm,
                project=project,
                title=title,
                status=status,
                description=f"{title} for {spec.name}.",
                assignee=None if owed else (dev if number % 2 else pm),
                due_date=today + datetime.timedelta(days=(number % 7) * 4 - 10),
                responsible=TaskCard.Responsible.CLIENT if owed else TaskCard.Responsible.TEAM,
                client_visible=owed or number % 3 == 0,
                milestone=milestones[number % len(milestones)],
                blocked_reason="Waiting for the staging database" if status == "blocked" else "",
            )
        if index == 0:
            self._feedback(project, users[SIGNERS[spec.client]], milestones[-1])
        return True

    def _deliverables(self, milestone: Milestone, uploader: User) -> None:
        """Two small real files per submitted milestone."""
        files = [
            ("Summary", "summary.txt", f"{milestone.title}\n\nWhat was delivered and how.\n"),
            ("Checklist", "checklist.csv", "item,done\nreviewed,yes\ntested,yes\n"),
        ]
        for title, name, text in files:
            content = text.encode()
            deliverable = Deliverable.objects.create(milestone=milestone, title=title)
            sha256 = hashlib.sha256(content).hexdigest()
            DeliverableVersion.objects.create(
                deliverable=deliverable,
                number=1,
                file=ContentFile(content, name=name),
                original_name=name,
                content_type="text/csv" if name.endswith(".csv") else "text/plain",
                size=len(content),
                sha256=sha256,
                uploaded_by=uploader,
            )

    def _decide(self, milestone: Milestone, users: dict, client: str, decision: str) -> None:
        approve = decision == SignOff.Decision.APPROVED
        signer = users[SIGNERS[client] if approve else SENDS_BACK]
        comment = "" if approve else "Please add the offline scenarios to the user stories."
        choice = signoff_decision_now(
            milestone=milestone,
            signer=signer,
            decision=decision,
            typed_name=signer.full_name,
            comment=comment,
        )
        signoff_record(
            milestone=milestone,
            signer=signer,
            decision=choice,
            ip_address="127.0.0.1",
            user_agent="seed_demo",
        )

    def _feedback(self, project: Project, contact: User, milestone: Milestone) -> None:
        attachment = ContentFile(b"Steps: open search, type 'shoes', wait.\n", name="steps.txt")
        for number, text in enumerate(FEEDBACK):
            feedback_create(
                project=project,
                actor=contact,
                text=text,
                milestone=milestone if number == 0 else None,
                attachment=attachment if number == 0 else None,
            )
