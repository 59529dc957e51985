from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.portal_home, name="home"),
    path("projects/<int:project_id>/", portal_views.portal_project, name="project"),
    path(
        "projects/<int:project_id>/feedback/",
        portal_views.portal_feedback_send,
        name="feedback",
    ),
    path("cards/<int:card_id>/done/", portal_views.portal_card_done, name="card_done"),
    path(
        "cards/<int:card_id>/attachment/",
        portal_views.portal_feedback_attachment,
        name="card_attachment",
    ),
    path(
        "versions/<int:version_id>/download/",
        portal_views.portal_version_download,
        name="version_download",
    ),
    path("milestones/<int:milestone_id>/sign-off/", portal_views.portal_signoff, name="signoff"),
]
