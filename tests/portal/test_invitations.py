import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from notifications.models import AccountMail
from notifications.services import account_mails_sweep
from notifications.tasks import send_account_mail
from projects.models import Activity, ClientContact, User
from projects.portal.services import contact_invite, invitation_path
from tests.mail_support import Handler
from tests.projects.factories import ContactFactory, ProjectFactory, UserFactory
from tests.support import client_for

NEW_PASSWORD = "a brand new secret 42"


def set_password(http, path: str) -> object:
    return http.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_an_invited_contact_gets_a_mail_sets_a_password_and_lands_in_the_portal(
    celery_worker, pm, project, anonymous
) -> None:
    response = client_for(pm).post(
        reverse("invitation_send", args=[project.pk]),
        {"full_name": "Carol Client", "email": "Carol@Acme.example"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="carol@acme.example")
    assert user.role == User.Role.CLIENT and not user.has_usable_password()
    assert ClientContact.objects.get(user=user).client == project.client
    assert Activity.objects.filter(verb="contact.invited", project=project).exists()
    celery_worker.wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["carol@acme.example"]
    assert project.name in message.subject
    path = re.search(r"https?://[^/\s]+(/invitation/\S+)", message.body).group(1)
    assert "Choose a password" in anonymous.get(path).content.decode()
    done = set_password(anonymous, path)
    assert done.status_code == 302 and done.url == reverse("portal:home")
    assert anonymous.get(done.url).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_invitation_link_works_once(project, pm, anonymous) -> None:
    user = contact_invite(actor=pm, project=project, email="d@acme.example", full_name="D")
    path = invitation_path(user)
    set_password(anonymous, path)
    again = client_for(UserFactory()).get(path)
    assert "This link no longer works" in again.content.decode()
    assert set_password(anonymous.__class__(), path).status_code == 200


def test_the_invitation_link_expires(project, pm, anonymous, settings) -> None:
    start = datetime.datetime(2026, 5, 1, 9, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        user = contact_invite(actor=pm, project=project, email="e@acme.example", full_name="E")
        path = invitation_path(user)
    late = start + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with time_machine.travel(late, tick=False):
        response = set_password(anonymous, path)
    assert "This link no longer works" in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_a_password_reset_token_does_not_open_an_invitation(project, pm, anonymous) -> None:
    from django.contrib.auth.tokens import default_token_generator

    user = contact_invite(actor=pm, project=project, email="f@acme.example", full_name="F")
    uid = invitation_path(user).split("/")[2]
    path = reverse("invitation_accept", args=[uid, default_token_generator.make_token(user)])
    assert "This link no longer works" in anonymous.get(path).content.decode()


def test_inviting_again_before_the_password_is_set_sends_a_new_link(project, pm) -> None:
    first = contact_invite(actor=pm, project=project, email="g@acme.example", full_name="G")
    again = contact_invite(actor=pm, project=project, email="G@acme.example", full_name="G")
    assert first == again
    assert ClientContact.objects.filter(user=first).count() == 1


@pytest.mark.parametrize(
    ("existing", "message"),
    [("other_client_contact", "not a contact of"), ("member", "not a contact of")],
)
def test_an_address_of_another_organisation_or_the_team_is_refused(
    request, pm, project, existing, message
) -> None:
    user = request.getfixturevalue(existing)
    response = client_for(pm).post(
        reverse("invitation_send", args=[project.pk]), {"full_name": "X", "email": user.email}
    )
    assert message in response.content.decode()
    assert f'value="{user.email}"' in response.content.decode()
    user.refresh_from_db()
    assert not ClientContact.objects.filter(user=user, client=project.client).exists()


def test_a_contact_with_a_password_is_told_to_log_in(pm, project, client_contact) -> None:
    response = client_for(pm).post(
        reverse("invitation_send", args=[project.pk]),
        {"full_name": "X", "email": client_contact.email},
    )
    assert "has an account already" in response.content.decode()


def test_a_team_member_may_not_invite(member, project) -> None:
    response = client_for(member).post(
        reverse("invitation_send", args=[project.pk]), {"full_name": "X", "email": "x@a.example"}
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="x@a.example").exists()


@pytest.mark.parametrize("persona", ["client_contact", "other_client_contact", "outside_pm"])
def test_clients_and_other_pms_get_404_on_the_invitation_page(request, project, persona) -> None:
    if persona == "outside_pm":
        user = UserFactory(role=User.Role.PM)
    else:
        user = request.getfixturevalue(persona)
    url = reverse("invitation_send", args=[project.pk])
    http = client_for(user)
    assert http.get(url).status_code == 404
    assert http.post(url, {"full_name": "X", "email": "x@a.example"}).status_code == 404
    assert not User.objects.filter(email="x@a.example").exists()


def test_an_invited_contact_sees_only_their_organisations_projects(project, pm) -> None:
    ContactFactory(user__email="someone@globex.example")
    user = contact_invite(actor=pm, project=project, email="h@acme.example", full_name="H")
    http = client_for(user)
    rows = http.get(reverse("portal:home")).context["projects"]
    assert [row.pk for row in rows] == [project.pk]


def test_a_project_name_with_markup_and_a_line_break_arrives_as_typed_on_one_line(
    smtp: Handler, settings, pm, eager: None, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://progress.example.com"
    project = ProjectFactory(pm=pm, name="R&D <Lab>\nphase 2")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(pm).post(
            reverse("invitation_send", args=[project.pk]),
            {"full_name": "Carol Client", "email": "carol@acme.example"},
        )
    assert response.status_code == 302
    (message,) = smtp.received
    assert message["Subject"] == "You are invited to follow R&D <Lab> phase 2 in Client Progress"
    assert message["To"] == "carol@acme.example"
    assert "https://progress.example.com/invitation/" in message.get_content()
    (row,) = AccountMail.objects.all()
    assert message["Message-ID"] == f"<account-mail.{row.pk}@progress.example.com>"


def test_an_invitation_sent_again_after_a_worker_died_is_the_same_message(
    smtp: Handler, settings, project, pm
) -> None:
    settings.SITE_URL = "https://progress.example.com"
    contact_invite(actor=pm, project=project, email="d@acme.example", full_name="D")
    (row,) = AccountMail.objects.all()
    send_account_mail.apply(args=[row.pk])
    send_account_mail.apply(args=[row.pk])  # a redelivered message sends nothing
    assert len(smtp.received) == 1
    # The worker died after the server accepted the mail, before it recorded so.
    claimed = datetime.datetime.now(datetime.UTC)
    AccountMail.objects.filter(pk=row.pk).update(email_state="sending", email_claimed_at=claimed)
    later = claimed + datetime.timedelta(
        seconds=settings.NOTIFICATIONS_EMAIL_CLAIM_EXPIRES_SECONDS + 1
    )
    with time_machine.travel(later, tick=False):
        assert account_mails_sweep(now=later, limit=10) == [row.pk]
        send_account_mail.apply(args=[row.pk])
    first, again = smtp.received
    assert (
        first["Message-ID"]
        == again["Message-ID"]
        == f"<account-mail.{row.pk}@progress.example.com>"
    )
