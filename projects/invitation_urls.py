"""Pages outside both the workspace and the portal: invitations, which bring a client contact
from the PM's side into the portal, and sign-off certificates, which both sides open."""

from django.urls import path

from . import invitations

urlpatterns = [
    path("projects/<int:project_id>/invite/", invitations.invitation_send, name="invitation_send"),
    path("invitation/<uidb64>/<token>/", invitations.invitation_accept, name="invitation_accept"),
    path("projects/<int:project_id>/sign-offs/", invitations.signoff_ledger, name="signoff_ledger"),
    path(
        "signoffs/<int:signoff_id>/certificate.pdf",
        invitations.signoff_certificate,
        name="signoff_certificate",
    ),
]
