"""Whatever people type (titles, descriptions, reasons, file names) is shown as text."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from milestones.models import Phase
from projects.models import Project, TaskCard, User
from tests.milestones.factories import (
    CriterionFactory,
    DeliverableFactory,
    MilestoneFactory,
    VersionFactory,
)
from tests.projects.factories import CardFactory
from tests.support import client_for

PAYLOAD = (
    '<script>alert(1)</script>" onmouseover="alert(2)'
    "<img src=x onerror=alert(3)><div hx-get=x hx-trigger=load>boom</div>"
)
RAW = ["<script>alert", '" onmouseover=', "<img src=x", "<div hx-get", "hx-trigger=load>"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_shown_as_text(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} unescaped in {where}"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, f"payload missing from {where}"


def test_typed_text_is_escaped_on_every_workspace_page_and_partial(
    pm: User, project: Project
) -> None:
    Project.objects.filter(pk=project.pk).update(name=PAYLOAD, description=PAYLOAD)
    project.client.name = PAYLOAD
    project.client.save()
    pm.full_name = PAYLOAD
    pm.save()
    milestone = MilestoneFactory(
        phase=project.phases.get(kind=Phase.Kind.PROTOTYPE), title=PAYLOAD, description=PAYLOAD
    )
    CriterionFactory(milestone=milestone, text=PAYLOAD)
    deliverable = DeliverableFactory(milestone=milestone, title=PAYLOAD, description=PAYLOAD)
    VersionFactory(deliverable=deliverable, original_name=PAYLOAD + ".pdf", uploaded_by=pm)
    card = CardFactory(
        project=project,
        title=PAYLOAD,
        description=PAYLOAD,
        status=TaskCard.Status.BLOCKED,
        blocked_reason=PAYLOAD,
        assignee=pm,
        milestone=milestone,
    )
    http = client_for(pm)
    # The changes below put the payload into the activity timeline and a conflict panel too.
    upload = SimpleUploadedFile(PAYLOAD.replace("/", "") + ".pdf", b"%PDF-1.4 x")
    http.post(reverse("milestones:upload", args=[deliverable.pk]), {"file": upload})
    TaskCard.objects.filter(pk=card.pk).update(version=2)
    stale = {"title": PAYLOAD + "!", "status": "todo", "responsible": "team", "version": 1}
    conflict = http.post(reverse("projects:card", args=[card.pk]), stale, **HTMX)
    assert conflict.status_code == 409
    assert_shown_as_text(conflict.content.decode(), "the conflict panel")
    pages = [
        reverse("projects:list"),
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:edit", args=[project.pk]),
        reverse("projects:board", args=[project.pk]),
        reverse("projects:card", args=[card.pk]),
        reverse("projects:card_due", args=[card.pk]),
        reverse("projects:card_move", args=[card.pk]),
        reverse("milestones:milestone", args=[milestone.pk]),
        reverse("milestones:milestone_edit", args=[milestone.pk]),
        reverse("milestones:submit", args=[milestone.pk]),
    ]
    for url in pages:
        for headers in ({}, HTMX):
            response = http.get(url, **headers)
            assert response.status_code == 200, url
            where = f"{url} ({'partial' if headers else 'page'})"
            html = response.content.decode()
            for raw in RAW:
                assert raw not in html, f"{raw!r} unescaped in {where}"
    detail = http.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert_shown_as_text(detail, "the project page")
    board = http.get(reverse("projects:board", args=[project.pk])).content.decode()
    assert board.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3  # title, reason, assignee
    work = http.get(reverse("milestones:milestone", args=[milestone.pk]), **HTMX)
    assert work.content.decode().count("&lt;img src=x onerror=alert(3)&gt;") >= 6
