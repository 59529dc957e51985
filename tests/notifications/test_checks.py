import datetime
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.utils import timezone

from milestones.models import Milestone, Phase
from notifications.models import Notification, NotificationPreference
from notifications.overdue import overdue_check
from projects.models import Project, TaskCard, User
from tests.milestones.factories import MilestoneFactory
from tests.projects.factories import CardFactory, ContactFactory, ProjectFactory, UserFactory

Kind = Notification.Kind
UTC = datetime.UTC


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=UTC)


def run(moment: datetime.datetime) -> list[int]:
    with time_machine.travel(moment, tick=False):
        return overdue_check(now=timezone.now()).created


def sent() -> list[tuple[str, str, str]]:
    """(kind, item title, recipient) of every notification, sorted."""
    rows = Notification.objects.values_list("kind", "title", "recipient__email")
    return sorted(rows)


@pytest.fixture
def new_york(project: Project) -> Project:
    """Daylight-saving time starts in New York on Sunday 8 March 2026 at 2:00."""
    project.client.time_zone = "America/New_York"
    project.client.save()
    return project


@pytest.fixture
def people(new_york: Project, pm: User, member: User, manager: User, client_contact: User) -> dict:
    UserFactory(role=User.Role.MANAGER, is_active=False, email="former-manager@example.com")
    ContactFactory(client=new_york.client, user__email="left@acme.example", user__is_active=False)
    return {
        "pm": pm.email,
        "dev": member.email,
        "boss": manager.email,
        "client": client_contact.email,
    }


def test_a_week_brings_each_reminder_to_the_right_people_once_in_the_clients_time_zone(
    new_york: Project, people: dict, member: User
) -> None:
    # Card due Sunday 8 March, after the clocks went forward: its day ends 04:00 UTC (EDT).
    CardFactory(project=new_york, title="Design", assignee=member, due_date="2026-03-08")
    # The client owes data on Friday 6 March, before the change: its day ends 05:00 UTC (EST).
    CardFactory(
        project=new_york,
        title="Data",
        responsible=TaskCard.Responsible.CLIENT,
        client_visible=True,
        due_date="2026-03-06",
    )
    MilestoneFactory(
        phase=new_york.phases.get(kind=Phase.Kind.PROTOTYPE),
        title="Prototype",
        due_date="2026-03-09",
        status=Milestone.Status.AWAITING_SIGNOFF,
        submitted_at=at("2026-03-05T12:00"),
    )
    CardFactory(project=new_york, title="Finished", due_date="2026-03-06", status="done")
    archived = ProjectFactory(client=new_york.client, status=Project.Status.ARCHIVED)
    CardFactory(project=archived, title="Archived", assignee=member, due_date="2026-03-06")

    expected = {
        ("due_soon", "Data", "client", "2026-03-05T05:00"),
        ("overdue", "Data", "pm", "2026-03-07T05:00"),
        ("overdue", "Data", "client", "2026-03-07T05:00"),
        ("escalation", "Data", "boss", "2026-03-09T05:00"),
        ("due_soon", "Design", "dev", "2026-03-07T04:00"),
        ("overdue", "Design", "dev", "2026-03-09T04:00"),
        ("overdue", "Design", "pm", "2026-03-09T04:00"),
        ("escalation", "Design", "boss", "2026-03-11T04:00"),
        ("due_soon", "Prototype", "pm", "2026-03-08T04:00"),
        ("due_soon", "Prototype", "client", "2026-03-08T04:00"),
        ("signoff_reminder", "Prototype", "client", "2026-03-08T12:00"),
        ("overdue", "Prototype", "pm", "2026-03-10T04:00"),
        ("overdue", "Prototype", "client", "2026-03-10T04:00"),
        ("signoff_reminder", "Prototype", "client", "2026-03-11T12:00"),
        ("escalation", "Prototype", "boss", "2026-03-12T04:00"),
    }
    # Every six hours of the week, and at and a minute before each moment something is due.
    background = [at("2026-03-04T00:00") + datetime.timedelta(hours=6 * n) for n in range(34)]
    moments = {at(when) - datetime.timedelta(minutes=m) for *_, when in expected for m in (0, 1)}
    for moment in sorted(moments.union(background)):
        run(moment)

    made = {
        (
            n.kind,
            n.title,
            next(k for k, v in people.items() if v == n.recipient.email),
            n.created_at,
        )
        for n in Notification.objects.select_related("recipient")
    }
    assert made == {(kind, title, who, at(when)) for kind, title, who, when in expected}
    assert Notification.objects.count() == len(expected)


def test_moving_the_due_date_re_arms_and_finishing_the_card_stops_it(
    new_york: Project, people: dict, member: User
) -> None:
    card = CardFactory(project=new_york, title="Design", assignee=member, due_date="2026-03-02")
    run(at("2026-03-05T12:00"))
    assert sent() == [
        ("escalation", "Design", people["boss"]),
        ("overdue", "Design", people["dev"]),
        ("overdue", "Design", people["pm"]),
    ]
    TaskCard.objects.filter(pk=card.pk).update(due_date="2026-03-06")
    run(at("2026-03-05T13:00"))
    assert sent().count(("due_soon", "Design", people["dev"])) == 1
    run(at("2026-03-07T06:00"))
    assert sent().count(("overdue", "Design", people["dev"])) == 2
    TaskCard.objects.filter(pk=card.pk).update(status=TaskCard.Status.DONE)
    before = Notification.objects.count()
    run(at("2026-03-10T06:00"))  # the new date's escalation would be due by now
    assert Notification.objects.count() == before


def test_inactive_users_approved_milestones_and_finished_projects_hear_nothing(
    new_york: Project, member: User
) -> None:
    member.is_active = False
    member.save()
    card = CardFactory(project=new_york, assignee=member, due_date="2026-03-02")
    MilestoneFactory(
        phase=new_york.phases.get(kind=Phase.Kind.PROTOTYPE),
        due_date="2026-03-02",
        status=Milestone.Status.APPROVED,
        approved_at=at("2026-03-01T12:00"),
    )
    completed = ProjectFactory(status=Project.Status.COMPLETED)
    CardFactory(project=completed, assignee=UserFactory(), due_date="2026-03-02")
    run(at("2026-03-04T12:00"))
    made = list(Notification.objects.values_list("kind", "target", "recipient__email"))
    assert made == [("overdue", f"card:{card.pk}", new_york.pm.email)]


def test_internal_cards_are_never_announced_to_the_client(
    new_york: Project, client_contact: User
) -> None:
    CardFactory(project=new_york, responsible="client", client_visible=False, due_date="2026-03-02")
    run(at("2026-03-04T12:00"))
    assert Notification.objects.count() == 1  # the PM's overdue notification
    assert not Notification.objects.filter(recipient=client_contact).exists()


def test_links_lead_each_recipient_to_their_own_side_of_the_project(
    new_york: Project, people: dict
) -> None:
    CardFactory(project=new_york, responsible="client", client_visible=True, due_date="2026-03-02")
    run(at("2026-03-04T12:00"))
    links = dict(
        Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient__email", "link")
    )
    assert links == {
        people["pm"]: f"/projects/{new_york.pk}/",
        people["client"]: f"/portal/projects/{new_york.pk}/",
    }


def test_escalation_says_how_long_and_whose_side_it_waits_on(
    new_york: Project, manager: User
) -> None:
    CardFactory(project=new_york, title="Data", responsible="client", due_date="2026-03-02")
    run(at("2026-03-05T17:00"))  # 2 days 12 hours after midnight EST (05:00 UTC) on 3 March
    escalation = Notification.objects.get(kind=Kind.ESCALATION, recipient=manager)
    assert escalation.details() == (
        "Overdue for 2\xa0days, 12\xa0hours (due on March 2, 2026). Waiting on the client."
    )


def test_a_kind_chosen_as_in_app_only_is_not_mailed(new_york: Project, member: User) -> None:
    NotificationPreference.objects.create(user=member, kind=Kind.OVERDUE, by_email=False)
    CardFactory(project=new_york, assignee=member, due_date="2026-03-02")
    run(at("2026-03-04T12:00"))
    states = dict(
        Notification.objects.filter(kind=Kind.OVERDUE).values_list("recipient", "email_state")
    )
    assert states == {member.pk: "skipped", new_york.pm_id: "pending"}


def _overdue_cards(project: Project, assignee: User, count: int) -> None:
    TaskCard.objects.bulk_create(
        TaskCard(
            project=project,
            title=f"Late {n}",
            position=n,
            assignee=assignee,
            due_date=datetime.date(2026, 3, 1) + datetime.timedelta(days=n % 3),
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_the_check_runs_the_same_queries_for_10_and_1000_overdue_items(
    new_york: Project, member: User, manager: User, django_assert_num_queries, count: int
) -> None:
    _overdue_cards(new_york, member, count)
    with django_assert_num_queries(4):  # time zones; savepoint; insert; release
        result = overdue_check(now=at("2026-03-10T12:00"))
    assert len(result.created) == count * 3  # assignee, PM, manager


def test_a_second_run_at_the_same_moment_creates_nothing(
    new_york: Project, member: User, manager: User
) -> None:
    _overdue_cards(new_york, member, 20)
    assert len(run(at("2026-03-10T12:00"))) == 60
    assert run(at("2026-03-10T12:00")) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_checks_at_once_create_exactly_the_notifications_of_one(
    pm: User, member: User, manager: User
) -> None:
    project = ProjectFactory(pm=pm)
    _overdue_cards(project, member, 300)

    now, inserted, results, errors = at("2026-03-10T12:00"), threading.Event(), {}, []

    def check(name: str, hold: bool) -> None:
        try:
            if not hold:
                inserted.wait(10)
            with transaction.atomic():
                results[name] = overdue_check(now=now).created
                if hold:
                    # The second check starts while these rows are not yet committed: it
                    # cannot see them, and must still not insert them again.
                    inserted.set()
                    threading.Event().wait(0.5)
        except Exception as error:  # reported below; a thread cannot fail the test itself
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=check, args=("first", True)),
        threading.Thread(target=check, args=("second", False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert (len(results["first"]), len(results["second"])) == (900, 0)
    assert Notification.objects.count() == 900
