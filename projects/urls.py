from django.urls import include, path

from . import views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/edit/", views.project_edit, name="edit"),
    path("<int:project_id>/board/", views.board, name="board"),
    path("<int:project_id>/board/version/", views.board_version, name="board_version"),
    path("<int:project_id>/board/cards/new/", views.card_add, name="card_add"),
    path("cards/<int:card_id>/", views.card_detail, name="card"),
    path("cards/<int:card_id>/due/", views.card_due, name="card_due"),
    path("cards/<int:card_id>/move/", views.card_move, name="card_move"),
    path("", include("milestones.urls")),
]
