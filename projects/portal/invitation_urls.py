"""Invitations bring a client contact from the PM's side into the portal, so their links live
outside both areas' prefixes."""

from django.urls import path

from . import invitations

urlpatterns = [
    path("projects/<int:project_id>/invite/", invitations.invitation_send, name="invitation_send"),
    path("invitation/<uidb64>/<token>/", invitations.invitation_accept, name="invitation_accept"),
]
