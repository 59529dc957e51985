"""The PM side of phases, milestones and deliverables, and the sign-off ledger and certificates
(which both the team and the client open)."""

from django.urls import path

from . import views

app_name = "milestones"

urlpatterns = [
    path("projects/phases/<int:phase_id>/edit/", views.phase_edit, name="phase_edit"),
    path(
        "projects/phases/<int:phase_id>/milestones/new/",
        views.milestone_create,
        name="milestone_add",
    ),
    path("projects/milestones/<int:milestone_id>/", views.milestone_detail, name="milestone"),
    path(
        "projects/milestones/<int:milestone_id>/edit/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "projects/milestones/<int:milestone_id>/criteria/new/",
        views.criterion_create,
        name="criterion_add",
    ),
    path("projects/criteria/<int:criterion_id>/", views.criterion_met, name="criterion_met"),
    path(
        "projects/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion_delete",
    ),
    path(
        "projects/criteria/<int:criterion_id>/restore/",
        views.criterion_restore,
        name="criterion_restore",
    ),
    path(
        "projects/milestones/<int:milestone_id>/deliverables/new/",
        views.deliverable_create,
        name="deliverable_add",
    ),
    path(
        "projects/deliverables/<int:deliverable_id>/upload/",
        views.version_upload,
        name="upload",
    ),
    path(
        "projects/deliverables/<int:deliverable_id>/delete/",
        views.deliverable_delete,
        name="deliverable_delete",
    ),
    path(
        "projects/deliverables/<int:deliverable_id>/restore/",
        views.deliverable_restore,
        name="deliverable_restore",
    ),
    path(
        "projects/versions/<int:version_id>/download/",
        views.version_download,
        name="download",
    ),
    path("projects/milestones/<int:milestone_id>/submit/", views.milestone_submit, name="submit"),
    path(
        "projects/milestones/<int:milestone_id>/complete/",
        views.milestone_complete,
        name="complete",
    ),
    path("projects/<int:project_id>/sign-offs/", views.signoff_ledger, name="signoff_ledger"),
    path(
        "signoffs/<int:signoff_id>/certificate.pdf",
        views.signoff_certificate,
        name="signoff_certificate",
    ),
]
