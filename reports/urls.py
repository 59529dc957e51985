from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("projects/<int:project_id>/", views.project_reports, name="project"),
    path("<int:report_id>/download/", views.download, name="download"),
    path("portal/<int:report_id>/download/", views.portal_download, name="portal_download"),
]
