import threading
import time

import pytest
from django.db import connection, transaction

from milestones.services import milestone_update
from projects.models import Project, TaskCard, User
from projects.services import project_lock
from tests.milestones.factories import MilestoneFactory
from tests.projects.factories import CardFactory


def _someone_waits_for_a_row_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and their waits are PostgreSQL's"
)
@pytest.mark.django_db(transaction=True)
def test_editing_a_milestone_while_a_board_write_files_a_card_under_it_does_not_deadlock(
    pm: User, project: Project
) -> None:
    """The board write locks the project, then saves a card pointing at the milestone (the
    foreign-key check takes a key-share lock on it); the milestone's editor locks the milestone,
    then waits for the project. The editor's lock must leave key-share locks free."""
    milestone = MilestoneFactory(phase=project.phases.first())
    card = CardFactory(project=project)
    board_locked, go_on = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def board_write() -> None:
        try:
            with transaction.atomic():
                project_lock(project_id=project.pk)
                board_locked.set()
                go_on.wait(10)
                TaskCard.objects.filter(pk=card.pk).update(milestone=milestone)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    def milestone_edit() -> None:
        try:
            milestone_update(actor=pm, milestone=milestone, changes={"title": "Renamed"})
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=board_write)
    writer.start()
    assert board_locked.wait(10)
    editor = threading.Thread(target=milestone_edit)
    editor.start()
    deadline = time.monotonic() + 10
    while not _someone_waits_for_a_row_lock():  # the editor, holding the milestone
        assert time.monotonic() < deadline, "the editor never waited for the project"
        time.sleep(0.02)
    go_on.set()
    writer.join()
    editor.join()
    assert not errors
    card.refresh_from_db()
    milestone.refresh_from_db()
    assert (card.milestone_id, milestone.title) == (milestone.pk, "Renamed")
