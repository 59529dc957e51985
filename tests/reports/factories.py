import datetime
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.models import StatusReport
from tests.projects.factories import ProjectFactory


class StatusReportFactory(factory.django.DjangoModelFactory):
    """A finished report with a stored file (not a rendering: tests that read PDFs render)."""

    class Meta:
        model = StatusReport

    class Params:
        content = b"%PDF-1.7 stored status report"

    project = factory.SubFactory(ProjectFactory)
    period = "2026-W07"
    period_start = datetime.date(2026, 2, 9)
    audience = StatusReport.Audience.INTERNAL
    state = StatusReport.State.READY
    complete = True
    trigger = StatusReport.Trigger.WEEKLY
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    size = factory.LazyAttribute(lambda o: len(o.content))
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="report.pdf"))
    generated_at = factory.LazyFunction(timezone.now)
    figures = factory.LazyFunction(
        lambda: {
            "health": "on_track",
            "progress": 50,
            "progress_change": 5,
            "completed": 1,
            "overdue": 0,
            "waiting_on_client": 0,
            "days_lost_team": 0,
            "days_lost_client": 0,
        }
    )
