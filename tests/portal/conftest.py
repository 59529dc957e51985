import pytest

from milestones.models import Milestone
from projects.models import Project, User
from tests.portal.support import awaiting_milestone


@pytest.fixture
def awaiting(project: Project, pm: User) -> Milestone:
    return awaiting_milestone(project, pm)
