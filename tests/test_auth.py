import datetime
import re

import time_machine
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clientprogress.auth import lockout_username
from notifications.models import AccountMail
from notifications.tasks import send_account_mail
from projects.models import User
from tests.projects.factories import PASSWORD


def login(http, email: str, password: str):
    return http.post(reverse("login"), {"username": email, "password": password})


def test_login_by_email_any_case_lands_on_workspace(anonymous, pm: User) -> None:
    response = login(anonymous, "PM@Example.com", PASSWORD)
    assert response.status_code == 302
    assert anonymous.get(response.url, follow=True).request["PATH_INFO"] == "/projects/"


def test_client_contact_lands_in_portal(anonymous, client_contact: User) -> None:
    response = login(anonymous, "client@acme.example", PASSWORD)
    assert anonymous.get(response.url, follow=True).request["PATH_INFO"] == "/portal/"


def test_wrong_password_says_so_and_keeps_the_address(anonymous, pm: User) -> None:
    response = login(anonymous, "pm@example.com", "wrong")
    assert response.status_code == 200
    assert "do not match an active account" in response.content.decode()
    assert 'value="pm@example.com"' in response.content.decode()


def test_repeated_failures_lock_the_account_for_that_address(anonymous, pm: User, settings) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(anonymous, "pm@example.com", "wrong")
    response = login(anonymous, "pm@example.com", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in anonymous.session
    # Another account from the same address is not locked.
    other = User.objects.create_user("pm2@example.com", PASSWORD, role=User.Role.PM)
    assert login(anonymous, other.email, PASSWORD).status_code == 302


def test_login_ignores_spaces_around_the_address(anonymous, pm: User) -> None:
    response = login(anonymous, "  PM@Example.com ", PASSWORD)
    assert response.status_code == 302
    assert anonymous.session["_auth_user_id"] == str(pm.pk)


def test_the_lockout_names_an_address_as_the_user_lookup_reads_it() -> None:
    request = RequestFactory().post("/accounts/login/", {"username": " PM@Example.COM\t"})
    assert lockout_username(request, {"username": " PM@Example.COM "}) == "pm@example.com"
    assert lockout_username(request, None) == "pm@example.com"
    assert lockout_username(request, {"username": "\uff30\uff2d@example.com"}) == "pm@example.com"
    assert lockout_username(RequestFactory().post("/accounts/login/"), None) is None


def test_failures_in_another_case_lock_the_address_in_every_case(
    anonymous, pm: User, settings
) -> None:
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        spelling = ["PM@example.com", "pm@EXAMPLE.com", " Pm@Example.Com "][attempt % 3]
        login(anonymous, spelling, "wrong")
    response = login(anonymous, "  PM@Example.com ", PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in anonymous.session
    assert login(anonymous, "pm@example.com", PASSWORD).status_code == 429


def test_the_admin_login_shares_the_lockout_whatever_the_case(
    anonymous, manager: User, settings
) -> None:
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    admin_login = reverse("admin:login")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        spelling = "MANAGER@example.com" if attempt % 2 else " manager@Example.COM "
        anonymous.post(admin_login, {"username": spelling, "password": "wrong"})
    correct = {"username": "Manager@Example.com", "password": PASSWORD}
    response = anonymous.post(admin_login, correct)
    assert response.status_code == 429
    assert "_auth_user_id" not in anonymous.session
    # The lock is the account's, not the page's: our login page refuses it as well.
    assert login(anonymous, "manager@example.com", PASSWORD).status_code == 429


def test_a_success_clears_failures_counted_under_another_case(
    anonymous, pm: User, settings
) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        login(anonymous, "PM@EXAMPLE.COM", "wrong")
    assert login(anonymous, "PM@EXAMPLE.COM", PASSWORD).status_code == 302
    anonymous.post(reverse("logout"))
    # Were the earlier failures kept under their own spelling, this one would lock.
    login(anonymous, "PM@EXAMPLE.COM", "wrong")
    assert login(anonymous, "PM@EXAMPLE.COM", PASSWORD).status_code == 302


def test_logout_needs_post_and_ends_the_session(anonymous, pm: User) -> None:
    login(anonymous, "pm@example.com", PASSWORD)
    assert anonymous.get(reverse("logout")).status_code == 405
    response = anonymous.post(reverse("logout"))
    assert "You are logged out" in response.content.decode()
    assert anonymous.get("/projects/").status_code == 302


def test_password_reset_mail_is_sent_by_the_worker_and_sets_a_new_password(
    celery_worker, anonymous, pm: User
) -> None:
    response = anonymous.post(reverse("password_reset"), {"email": "pm@example.com"})
    assert response.status_code == 302
    celery_worker.wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["pm@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body).group(1)
    form_url = anonymous.get(link).url
    done = anonymous.post(
        form_url,
        {"new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )
    assert done.status_code == 302
    assert login(anonymous, "pm@example.com", "a brand new secret 42").status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(anonymous, pm: User) -> None:
    for attempt in range(6):
        anonymous.post(
            reverse("login"),
            {"username": "pm@example.com", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}",
        )
    assert login(anonymous, "pm@example.com", PASSWORD).status_code == 429


def reset_link(message: object) -> str:
    return re.search(r"\S+/accounts/reset/\S+", message.body).group()


def test_the_reset_link_is_on_site_url_whatever_host_the_request_named(
    anonymous, pm: User, settings, eager: None, django_capture_on_commit_callbacks
) -> None:
    # Allowed, as a host behind a proxy that passes Host through would be: the danger is real.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "evil.example"]
    settings.SITE_URL = "https://progress.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        response = anonymous.post(
            reverse("password_reset"), {"email": pm.email}, HTTP_HOST="evil.example:8443"
        )
    assert response.status_code == 302
    (message,) = mail.outbox
    assert reset_link(message).startswith("https://progress.example.com/accounts/reset/")
    assert "evil.example" not in message.body


def test_a_reset_request_does_the_same_work_for_any_address_and_only_accounts_get_mail(
    anonymous, pm: User, django_capture_on_commit_callbacks
) -> None:
    def ask(address: str) -> tuple[list[str], int]:
        with (
            time_machine.travel(datetime.datetime(2026, 5, 4, 9, tzinfo=datetime.UTC), tick=False),
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = anonymous.post(reverse("password_reset"), {"email": address})
        assert response.status_code == 302
        assert response.url == reverse("password_reset_done")
        return [query["sql"].replace(address, "ADDRESS") for query in queries], len(callbacks)

    known, unknown = ask("PM@example.com"), ask("nobody@example.com")
    assert known == unknown
    assert not any("projects_user" in sql for sql in known[0])  # no account looked up
    assert list(AccountMail.objects.order_by("pk").values_list("kind", "to")) == [
        ("password_reset", "PM@example.com"),
        ("password_reset", "nobody@example.com"),
    ]

    for row in AccountMail.objects.order_by("pk"):
        send_account_mail.apply(args=[row.pk])
    (message,) = mail.outbox
    assert message.to == [pm.email]
    assert dict(AccountMail.objects.values_list("to", "email_state")) == {
        "PM@example.com": "sent",
        "nobody@example.com": "no_account",
    }
    form_url = anonymous.get(reset_link(message)).url
    done = anonymous.post(
        form_url,
        {"new_password1": "a brand new secret 42", "new_password2": "a brand new secret 42"},
    )
    assert done.status_code == 302
    assert login(anonymous, pm.email, "a brand new secret 42").status_code == 302
