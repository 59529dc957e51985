from django.urls import path

from . import board, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<int:project_id>/", views.project_detail, name="detail"),
    path("<int:project_id>/edit/", views.project_edit, name="edit"),
    path("<int:project_id>/board/", board.board, name="board"),
    path("<int:project_id>/board/version/", board.board_version, name="board_version"),
    path("<int:project_id>/board/cards/new/", board.card_add, name="card_add"),
    path("cards/<int:card_id>/", board.card_detail, name="card"),
    path("cards/<int:card_id>/due/", board.card_due, name="card_due"),
    path("cards/<int:card_id>/move/", board.card_move, name="card_move"),
    path("cards/<int:card_id>/archive/", board.card_archive, name="card_archive"),
    path("cards/<int:card_id>/unarchive/", board.card_unarchive, name="card_unarchive"),
]
