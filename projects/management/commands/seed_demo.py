import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from milestones.models import Milestone
from projects.models import Client, ClientContact, Project, TaskCard, User
from projects.services import card_create, project_create

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
            ("requirements", "User stories agreed", -12, "in_progress"),
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
            milestones.append(
                Milestone.objects.create(
                    phase=phases[kind],
                    title=title,
                    due_date=today + datetime.timedelta(days=due),
                    status=status,
                    revision=1 if status in ("approved", "awaiting_signoff") else 0,
                    submitted_at=timezone.now() if status == "awaiting_signoff" else None,
                    approved_at=timezone.now() if status == "approved" else None,
                )
            )
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
        return True
