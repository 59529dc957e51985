"""The PM side of phases, milestones and deliverables; included in the workspace's URLs."""

from django.urls import path

from . import views

urlpatterns = [
    path("phases/<int:phase_id>/edit/", views.phase_edit, name="phase_edit"),
    path("phases/<int:phase_id>/milestones/new/", views.milestone_create, name="milestone_add"),
    path("milestones/<int:milestone_id>/", views.milestone_detail, name="milestone"),
    path("milestones/<int:milestone_id>/edit/", views.milestone_edit, name="milestone_edit"),
    path(
        "milestones/<int:milestone_id>/criteria/new/",
        views.criterion_create,
        name="criterion_add",
    ),
    path("criteria/<int:criterion_id>/", views.criterion_met, name="criterion_met"),
    path(
        "milestones/<int:milestone_id>/deliverables/new/",
        views.deliverable_create,
        name="deliverable_add",
    ),
    path("deliverables/<int:deliverable_id>/upload/", views.version_upload, name="upload"),
    path("versions/<int:version_id>/download/", views.version_download, name="download"),
    path("milestones/<int:milestone_id>/submit/", views.milestone_submit, name="submit"),
    path("milestones/<int:milestone_id>/complete/", views.milestone_complete, name="complete"),
]
