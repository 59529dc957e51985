"""What every board write must leave behind, checked the same way by every test."""

from projects.models import Project, TaskCard


def positions(project: Project) -> dict[str, list[int]]:
    """The stored positions of each column of the project, in board order."""
    cards = project.cards.order_by("status", "position", "pk").values_list("status", "position")
    columns: dict[str, list[int]] = {status: [] for status in TaskCard.Status.values}
    for status, position in cards:
        columns[status].append(position)
    return columns


def assert_columns_numbered(*projects: Project) -> None:
    """Every column of each project holds exactly the positions 0..n-1: no gap, no twice."""
    for project in projects:
        for status, numbers in positions(project).items():
            assert numbers == list(range(len(numbers))), (project.code, status, numbers)
