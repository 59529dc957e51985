from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("projects/<int:project_id>/", views.portal_project, name="project"),
    path(
        "projects/<int:project_id>/feedback/",
        views.portal_feedback_send,
        name="feedback",
    ),
    path("cards/<int:card_id>/done/", views.portal_card_done, name="card_done"),
    path("cards/<int:card_id>/undo-done/", views.portal_card_undo_done, name="card_undo_done"),
    path(
        "cards/<int:card_id>/attachment/",
        views.portal_feedback_attachment,
        name="card_attachment",
    ),
    path(
        "versions/<int:version_id>/download/",
        views.portal_version_download,
        name="version_download",
    ),
    path("milestones/<int:milestone_id>/sign-off/", views.portal_signoff, name="signoff"),
]
