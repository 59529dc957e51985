from django.db.models import Prefetch

from projects.models import Project

from .models import Milestone, Phase


def project_phases(*, project: Project) -> list[Phase]:
    """The project's four phases with their milestones, ready to render."""
    milestones = Milestone.objects.order_by("due_date", "pk")
    return list(
        project.phases.order_by("order").prefetch_related(
            Prefetch("milestones", queryset=milestones)
        )
    )
