"""The paths people and mails have reached so far still answer as they did: bookmarks, links in
sent mails and notifications' stored links keep working whatever the URL modules are called.
Written out literally on purpose, not reversed from names."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from projects.models import User
from projects.portal.services import invitation_tokens
from tests.projects.factories import ContactFactory
from tests.support import ProjectObjects, client_for

PERSONAS = {"pm": "pm", "client": "client_contact"}
FILE = "a download"  # 200, sent as an attachment

# (persona, "[POST ]path", what it answers: a status, FILE, or where it redirects to)
OLD_PATHS = [
    # The PM workspace.
    ("pm", "/", "/projects/"),
    ("pm", "/projects/", 200),
    ("pm", "/projects/new/", 200),
    ("pm", "/projects/{project}/", 200),
    ("pm", "/projects/{project}/edit/", 200),
    ("pm", "/projects/{project}/board/", 200),
    ("pm", "/projects/{project}/board/version/", 200),
    ("pm", "/projects/{project}/board/cards/new/", 200),
    ("pm", "/projects/cards/{card}/", 200),
    ("pm", "/projects/cards/{card}/due/", 200),
    ("pm", "/projects/cards/{card}/move/", 200),
    # Phases, milestones and deliverables (once the workspace's own URLs).
    ("pm", "/projects/phases/{phase}/edit/", 200),
    ("pm", "/projects/phases/{phase}/milestones/new/", 200),
    ("pm", "/projects/milestones/{milestone}/", 200),
    ("pm", "/projects/milestones/{milestone}/edit/", 200),
    ("pm", "/projects/milestones/{milestone}/criteria/new/", 200),
    ("pm", "/projects/criteria/{criterion}/", 200),
    ("pm", "/projects/milestones/{milestone}/deliverables/new/", 200),
    ("pm", "/projects/deliverables/{deliverable}/upload/", 200),
    ("pm", "/projects/versions/{version}/download/", FILE),
    ("pm", "/projects/milestones/{milestone}/submit/", 200),
    ("pm", "/projects/milestones/{milestone}/complete/", 200),
    # Invitations, the sign-off ledger and certificates (once beside the invitations).
    ("pm", "/projects/{project}/invite/", 200),
    ("pm", "/projects/{project}/sign-offs/", 200),
    ("pm", "/signoffs/{signoff}/certificate.pdf", FILE),
    ("client", "/signoffs/{signoff}/certificate.pdf", FILE),
    ("anonymous", "/invitation/{invitee_uid}/{invitation_token}/", 200),
    # The portal.
    ("client", "/", "/portal/"),
    ("client", "/portal/", 200),
    ("client", "/portal/projects/{project}/", 200),
    ("client", "/portal/projects/{project}/feedback/", "/portal/projects/{project}/#feedback"),
    ("client", "/portal/cards/{card}/done/", "/portal/projects/{project}/#waiting"),
    ("client", "POST /portal/cards/{card}/done/", "/portal/projects/{project}/#waiting"),
    ("client", "/portal/cards/{card}/attachment/", FILE),
    ("client", "/portal/versions/{version}/download/", FILE),
    ("client", "/portal/milestones/{milestone}/sign-off/", 200),
    # Notifications, for both sides.
    ("pm", "/notifications/", 200),
    ("client", "/notifications/", 200),
    ("pm", "/notifications/bell/", 200),
    ("pm", "/notifications/preferences/", 200),
    ("pm", "/notifications/{notification}/", 200),
    ("pm", "POST /notifications/read-all/", "/notifications/"),
    # Reports.
    ("pm", "/reports/", 200),
    ("pm", "/reports/projects/{project}/", 200),
    ("pm", "/reports/{report}/download/", FILE),
    ("client", "/reports/portal/{report}/download/", FILE),
    # Accounts, language, health and the admin.
    ("anonymous", "/", "/accounts/login/?next=/"),
    ("anonymous", "/healthz", 200),
    ("anonymous", "/accounts/login/", 200),
    ("anonymous", "/accounts/password_reset/", 200),
    ("anonymous", "/accounts/password_reset/done/", 200),
    (
        "anonymous",
        "/accounts/reset/{pm_uid}/{reset_token}/",
        "/accounts/reset/{pm_uid}/set-password/",
    ),
    ("anonymous", "/accounts/reset/done/", 200),
    ("pm", "/accounts/password_change/", 200),
    ("pm", "/accounts/password_change/done/", 200),
    ("pm", "POST /accounts/logout/", 200),
    ("pm", "POST /i18n/setlang/", "/"),
    ("anonymous", "/admin/", "/admin/login/?next=/admin/"),
    # Each side's pages are still not the other side's.
    ("client", "/projects/{project}/", 404),
    ("client", "/projects/milestones/{milestone}/", 404),
    ("client", "/projects/versions/{version}/download/", 404),
    ("client", "/projects/{project}/sign-offs/", 404),
    ("client", "/reports/{report}/download/", 404),
    ("pm", "/portal/", 404),
    ("pm", "/portal/versions/{version}/download/", 404),
    ("pm", "/reports/portal/{report}/download/", 404),
]


@pytest.fixture
def values(project_objects: ProjectObjects, pm: User) -> dict[str, object]:
    """The objects' ids by the names the paths use, and the links a mail carries."""
    invitee = ContactFactory(client=project_objects.project.client).user
    ids = {name.removesuffix("_id"): pk for name, pk in project_objects.ids.items()}
    return ids | {
        "invitee_uid": urlsafe_base64_encode(force_bytes(invitee.pk)),
        "invitation_token": invitation_tokens.make_token(invitee),
        "pm_uid": urlsafe_base64_encode(force_bytes(pm.pk)),
        "reset_token": default_token_generator.make_token(pm),
    }


@pytest.mark.parametrize(("persona", "request_line", "answer"), OLD_PATHS)
def test_an_old_path_answers_as_it_did(
    request, anonymous, values: dict[str, object], persona: str, request_line: str, answer: object
) -> None:
    method, _, template = request_line.rpartition(" ")
    path = template.format(**values)
    resolve(path)  # raises Resolver404 for a path that went away
    if persona == "anonymous":
        http = anonymous
    else:
        http = client_for(request.getfixturevalue(PERSONAS[persona]))
    response = http.post(path) if method == "POST" else http.get(path)
    if answer == FILE:
        assert response.status_code == 200, path
        assert response["Content-Disposition"].startswith("attachment"), path
    elif isinstance(answer, str):
        assert response.status_code == 302, path
        assert response.url == answer.format(**values), path
    else:
        assert response.status_code == answer, path


def test_the_invitation_link_of_a_mail_still_offers_its_form(anonymous, values) -> None:
    path = "/invitation/{invitee_uid}/{invitation_token}/".format(**values)
    assert anonymous.get(path).context["form"] is not None
