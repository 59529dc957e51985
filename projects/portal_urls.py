from django.urls import path

from . import portal_views

app_name = "portal"

urlpatterns = [
    path("", portal_views.portal_home, name="home"),
    path("projects/<int:project_id>/", portal_views.portal_project, name="project"),
]
