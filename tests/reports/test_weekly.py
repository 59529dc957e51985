"""The weekly mail: one per recipient and week, however often or however concurrently the job
runs, and whatever crashed in between; attachments are the stored PDFs."""

import datetime
import email
import email.policy
import hashlib
import io
import threading
from collections.abc import Iterator

import pypdf
import pytest
import time_machine
from celery.exceptions import Retry
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client as HttpClient

from projects.models import Client, Project, TaskCard, User
from projects.portal.services import contact_invite, invitation_path
from reports import services, tasks
from reports.models import ReportDelivery, StatusReport
from reports.selectors import report_url
from tests.mail_support import Handler
from tests.projects.factories import ProjectFactory
from tests.reports.support import (
    MARKER,
    MONDAY,
    W07,
    Portfolio,
    at,
    card,
    make_portfolio,
    pdf_text,
)
from tests.smtp import Server, smtp_server


@pytest.fixture
def monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


@pytest.fixture
def portfolio(db: None, monday: None) -> Portfolio:
    return make_portfolio()


def parsed(message: mail.EmailMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def attachments(message: email.message.EmailMessage) -> list[tuple[str, bytes]]:
    found = []
    for part in message.iter_attachments():
        assert part.get_content_type() == "application/pdf"
        found.append((part.get_filename(), part.get_content()))
    return found


def mails_by_recipient() -> dict[str, list[email.message.EmailMessage]]:
    sent: dict[str, list] = {}
    for message in mail.outbox:
        (address,) = message.to
        sent.setdefault(address, []).append(parsed(message))
    return sent


def test_each_recipient_gets_one_mail_with_the_summary_and_the_stored_pdf(
    portfolio: Portfolio, mailoutbox: list
) -> None:
    call_command("send_weekly_reports")

    sent = mails_by_recipient()
    assert sorted(sent) == [
        "boss@example.com",
        "cto@client.example",
        "otto@example.com",
        "paula@example.com",
    ]
    assert all(len(messages) == 1 for messages in sent.values())
    (boss,) = sent["boss@example.com"]
    assert boss["Subject"] == "Weekly status report · 2026-W07 · 2 projects"
    html = boss.get_body(("html",)).get_content()
    for project in (portfolio.internal_only, portfolio.shared):
        report = StatusReport.objects.get(project=project, audience="internal", period="2026-W07")
        assert f"/reports/{report.pk}/download/" in html
        assert project.name in boss.get_body(("plain",)).get_content()
    ((_name, pdf),) = attachments(boss)
    delivery = ReportDelivery.objects.get(recipient=portfolio.manager, period="2026-W07")
    assert delivery.state == ReportDelivery.State.SENT
    assert hashlib.sha256(pdf).hexdigest() == delivery.sha256
    pages = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]
    assert "Portfolio summary" in pages[0] and "Prepared for Mia Boss" in pages[0]
    assert "Portfolio summary" not in "".join(pages[1:])
    assert "Shop relaunch" in "".join(pages[1:]) and "Warehouse scanners" in "".join(pages[1:])

    (paula,) = sent["paula@example.com"]
    ((_name, pdf),) = attachments(paula)
    assert "Warehouse scanners" in pdf_text(pdf) and "Shop relaunch" not in pdf_text(pdf)
    assert "member@example.com" not in sent


def test_the_client_gets_the_client_version_as_stored(
    portfolio: Portfolio, mailoutbox: list
) -> None:
    call_command("send_weekly_reports", "--week", "2026-W07")

    (message,) = mails_by_recipient()["cto@client.example"]
    report = StatusReport.objects.get(project=portfolio.shared, audience="client")
    ((name, pdf),) = attachments(message)
    assert name == report.filename
    assert hashlib.sha256(pdf).hexdigest() == report.sha256
    assert "Client data export" in pdf_text(pdf)
    assert MARKER not in pdf_text(pdf)
    assert "/reports/portal/" in message.get_body(("html",)).get_content()
    assert not StatusReport.objects.filter(project=portfolio.internal_only, audience="client")


def test_a_contact_who_has_not_accepted_the_invitation_gets_no_weekly_mail(
    portfolio: Portfolio, mailoutbox: list
) -> None:
    invitee = contact_invite(
        actor=portfolio.other_pm,
        project=portfolio.shared,
        email="typo@clinet.example",
        full_name="Not Yet",
    )
    assert invitee.pk not in services.weekly_recipients()
    call_command("send_weekly_reports")
    assert "typo@clinet.example" not in mails_by_recipient()
    assert "cto@client.example" in mails_by_recipient()

    password = "a brand new secret 42"
    accepted = HttpClient().post(
        invitation_path(invitee), {"new_password1": password, "new_password2": password}
    )
    assert accepted.status_code == 302
    assert services.weekly_recipients()[invitee.pk] == [portfolio.shared.pk]


def test_a_recipient_whose_language_is_no_longer_offered_reads_the_site_s(
    portfolio: Portfolio, mailoutbox: list
) -> None:
    User.objects.filter(pk=portfolio.manager.pk).update(language="fr")
    call_command("send_weekly_reports", "--week", "2026-W07")
    (boss,) = mails_by_recipient()["boss@example.com"]
    text = boss.get_body(("plain",)).get_content()
    assert "Your projects for the week Feb. 9, 2026 \u2013 Feb. 15, 2026." in text
    assert "février" not in text


def test_a_projects_first_week_shows_no_change_in_the_mailed_summary_or_report(
    portfolio: Portfolio, mailoutbox: list
) -> None:
    """Its cards all came during the week: no “(+50)” beside it, no “▲ 50 points”."""
    start, end = datetime.date(2026, 2, 9), datetime.date(2026, 6, 30)
    fresh = ProjectFactory(pm=portfolio.pm, name="Fresh start", start_date=start, end_date=end)
    card(fresh, "Kick-off held", status=TaskCard.Status.DONE, completed_at=at(10), created=9)
    card(fresh, "Workshop notes", created=10)
    call_command("send_weekly_reports", "--week", "2026-W07")

    (paula,) = mails_by_recipient()["paula@example.com"]
    ((_name, pdf),) = attachments(paula)
    text = " ".join(pdf_text(pdf, layout=False).split())
    summary = text[: text.index("follow on the next pages")]
    assert "Fresh start" in summary and "50 %" in summary and "(+50)" not in summary
    assert "No earlier week to compare with" in text and "▲ 50" not in text
    figures = StatusReport.objects.get(project=fresh, audience="internal").figures
    assert figures["progress_change"] is None


def test_running_the_job_again_sends_nothing_more(portfolio: Portfolio, mailoutbox: list) -> None:
    call_command("send_weekly_reports")
    stored = dict(StatusReport.objects.values_list("pk", "sha256"))
    call_command("send_weekly_reports")
    services.delivery_send(delivery_id=ReportDelivery.objects.first().pk)

    assert len(mailoutbox) == 4
    assert dict(StatusReport.objects.values_list("pk", "sha256")) == stored


def test_a_crash_between_render_and_mail_reuses_the_stored_pdfs_and_sends_once(
    portfolio: Portfolio, mailoutbox: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("worker killed")

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", crash)
    with pytest.raises(SystemExit):
        call_command("send_weekly_reports")
    monkeypatch.undo()
    # Every report was stored; the first delivery died while sending, the rest never started.
    reports = dict(StatusReport.objects.values_list("pk", "sha256"))
    (crashed,) = ReportDelivery.objects.filter(state=ReportDelivery.State.SENDING)
    assert crashed.sha256 and mailoutbox == []

    call_command("send_weekly_reports")
    assert len(mailoutbox) == 3  # the one claimed when the worker died waits for its lease

    with time_machine.travel(MONDAY + datetime.timedelta(minutes=16), tick=False):
        call_command("send_weekly_reports")
        call_command("send_weekly_reports")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com", "paula@example.com"]
    )
    crashed_copy = ReportDelivery.objects.get(pk=crashed.pk)
    assert crashed_copy.sha256 == crashed.sha256 and crashed_copy.attempts == 2
    assert dict(StatusReport.objects.values_list("pk", "sha256")) == reports
    stored = set(ReportDelivery.objects.values_list("sha256", flat=True)) | set(reports.values())
    for message in mailoutbox:
        for _name, pdf in attachments(parsed(message)):
            assert hashlib.sha256(pdf).hexdigest() in stored


def test_a_failed_send_is_released_and_retried(
    portfolio: Portfolio, mailoutbox: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.weekly_deliveries_claim(week=W07)
    delivery = ReportDelivery.objects.get(recipient=portfolio.pm)
    services.delivery_prepare(delivery_id=delivery.pk)
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", lambda self: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == ReportDelivery.State.RENDERED
    assert "ZeroDivisionError" in delivery.last_error
    monkeypatch.undo()
    assert services.delivery_send(delivery_id=delivery.pk) is True
    assert services.delivery_send(delivery_id=delivery.pk) is False
    assert len(mailoutbox) == 1


def test_dry_run_lists_recipients_and_changes_nothing(
    portfolio: Portfolio, mailoutbox: list, capsys: pytest.CaptureFixture
) -> None:
    call_command("send_weekly_reports", "--dry-run", "--week", "2026-W07")
    out = capsys.readouterr().out
    assert "4 recipient(s)" in out and "cto@client.example" in out
    assert mailoutbox == [] and not ReportDelivery.objects.exists()
    assert not StatusReport.objects.exists()


def test_a_week_that_does_not_exist_is_refused(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="has no week 54"):
        call_command("send_weekly_reports", "--week", "2026-W54")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two writers at once need PostgreSQL (CI has it)"
)
def test_two_jobs_at_once_send_each_mail_once(
    transactional_db: None, monday: None, mailoutbox: list
) -> None:
    make_portfolio()
    errors = []

    def run() -> None:
        try:
            call_command("send_weekly_reports")
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com", "paula@example.com"]
    )


def test_a_delivery_claimed_by_a_dead_worker_is_looked_at_again_when_its_lease_ends(
    portfolio: Portfolio, mailoutbox: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    services.weekly_deliveries_claim(week=W07)
    delivery = ReportDelivery.objects.get(recipient=portfolio.pm)
    services.delivery_prepare(delivery_id=delivery.pk)
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        state=ReportDelivery.State.SENDING, claimed_at=MONDAY
    )
    retries = []

    def retry(**options: object) -> Retry:
        retries.append(options)
        return Retry()

    monkeypatch.setattr(tasks.deliver_weekly_report, "retry", retry)
    with pytest.raises(Retry):
        tasks.deliver_weekly_report(delivery_id=delivery.pk)
    assert retries == [{"countdown": settings.REPORT_DELIVERY_LEASE_SECONDS}]
    assert mailoutbox == []
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=16), tick=False):
        assert tasks.deliver_weekly_report(delivery_id=delivery.pk) is True
    assert len(mailoutbox) == 1


def test_a_portfolio_too_large_to_mail_carries_the_summary_with_links(
    portfolio: Portfolio, mailoutbox: list, settings: object
) -> None:
    settings.REPORT_MAIL_MAX_MB = 0
    call_command("send_weekly_reports")

    (boss,) = mails_by_recipient()["boss@example.com"]
    ((_name, pdf),) = attachments(boss)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(pdf_text(pdf).split())
    assert len(reader.pages) == 1 and "too large for one mail" in text
    delivery = ReportDelivery.objects.get(recipient=portfolio.manager)
    assert hashlib.sha256(pdf).hexdigest() == delivery.sha256
    report = StatusReport.objects.get(project=portfolio.shared, audience="internal")
    assert any(report_url(report) in str(link) for link in pdf_links(reader))


def pdf_links(reader: pypdf.PdfReader) -> list[str]:
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    ]


def test_the_clients_mail_names_it_as_typed_and_a_resend_is_the_same_message(
    portfolio: Portfolio, smtp: Handler, settings: object
) -> None:
    settings.SITE_URL = "https://progress.example.com"
    Client.objects.filter(pk=portfolio.shared.client_id).update(name="R&D <Labs>\nBerlin")
    services.weekly_deliveries_claim(week=W07)
    delivery = ReportDelivery.objects.get(recipient=portfolio.contact)
    services.delivery_prepare(delivery_id=delivery.pk)
    assert services.delivery_send(delivery_id=delivery.pk) is True
    # The worker died after the server accepted the mail, before it recorded so.
    ReportDelivery.objects.filter(pk=delivery.pk).update(
        state=ReportDelivery.State.SENDING, claimed_at=MONDAY
    )
    with time_machine.travel(MONDAY + datetime.timedelta(minutes=16), tick=False):
        assert services.delivery_send(delivery_id=delivery.pk) is True
    first, again = smtp.received
    # Django puts a long encoded subject on a line of its own; the email package keeps the
    # space of that fold, mail clients drop it.
    assert first["Subject"].lstrip() == "Weekly status report for R&D <Labs> Berlin · 2026-W07"
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"] == f"<report-delivery.{delivery.pk}@progress.example.com>"


def test_weekly_mails_whose_messages_were_lost_are_handed_out_again_once(
    portfolio: Portfolio, mailoutbox: list, eager: None, django_capture_on_commit_callbacks
) -> None:
    # The Monday job claimed the deliveries, then the broker went down before it handed
    # them all out (or the messages were lost with it).
    services.weekly_deliveries_claim(week=W07)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.deliveries_sweep(now=MONDAY, limit=10) == []  # within their lease
    lease_later = MONDAY + datetime.timedelta(seconds=settings.REPORT_DELIVERY_LEASE_SECONDS + 1)
    with time_machine.travel(lease_later, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            swept = services.deliveries_sweep(now=lease_later, limit=10)
        with django_capture_on_commit_callbacks(execute=True):
            assert services.deliveries_sweep(now=lease_later, limit=10) == []
    assert len(swept) == 4
    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com", "paula@example.com"]
    )
    assert set(ReportDelivery.objects.values_list("state", flat=True)) == {"sent"}


@pytest.fixture
def broken(portfolio: Portfolio, monkeypatch: pytest.MonkeyPatch) -> Project:
    """Warehouse scanners' week cannot be gathered (as with a date past the calendar's end);
    every other project's can."""
    gather = services.report_data

    def report_data(*, project_id: int, **kwargs: object) -> object:
        if project_id == portfolio.internal_only.pk:
            raise OverflowError("date value out of range")
        return gather(project_id=project_id, **kwargs)

    monkeypatch.setattr(services, "report_data", report_data)
    return portfolio.internal_only


def assert_sent_around(broken: Project, portfolio: Portfolio) -> None:
    """Everyone got their one mail, with every report but the broken project's, which is
    marked failed and named to our own people."""
    sent = mails_by_recipient()
    assert sorted(sent) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com", "paula@example.com"]
    )
    assert all(len(messages) == 1 for messages in sent.values())
    assert set(ReportDelivery.objects.values_list("state", flat=True)) == {"sent"}
    failed = StatusReport.objects.get(project=broken, period="2026-W07")
    assert failed.state == StatusReport.State.FAILED
    assert "OverflowError: date value out of range" in failed.error
    others = StatusReport.objects.exclude(project=broken).filter(period="2026-W07")
    assert set(others.values_list("state", flat=True)) == {"ready"} and others.count() == 2

    (boss,) = sent["boss@example.com"]
    text = boss.get_body(("plain",)).get_content()
    assert "No report could be generated this week for:\n  Warehouse scanners" in text
    assert "Warehouse scanners" in boss.get_body(("html",)).get_content()
    ((_name, pdf),) = attachments(boss)
    assert "Shop relaunch" in pdf_text(pdf) and "Warehouse scanners" not in pdf_text(pdf)
    (paula,) = sent["paula@example.com"]
    assert "Warehouse scanners" in paula.get_body(("plain",)).get_content()
    (client,) = sent["cto@client.example"]
    ((_name, pdf),) = attachments(client)
    assert "Shop relaunch" in pdf_text(pdf)
    assert "could be generated" not in client.get_body(("plain",)).get_content()


def test_a_project_that_cannot_be_rendered_stops_no_other_report_or_mail(
    broken: Project, portfolio: Portfolio, mailoutbox: list
) -> None:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 step\\(s\\) failed") as failed:
        call_command("send_weekly_reports", stdout=out, stderr=err)

    assert failed.value.returncode == 1  # the exit status, once everything else was sent
    assert "Week 2026-W07: 4 mail(s) sent." in out.getvalue()
    assert err.getvalue().startswith(f"Failed: project {broken.code}: ReportFailed: internal: ")
    assert_sent_around(broken, portfolio)


@pytest.fixture
def eager() -> Iterator[None]:
    """Enqueued tasks run at once, in the test, as a worker would run them."""
    from clientprogress.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_beat_task_renders_and_mails_around_a_broken_project(
    broken: Project,
    portfolio: Portfolio,
    mailoutbox: list,
    eager: None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert tasks.send_weekly_reports(week="2026-W07") == 4

    assert_sent_around(broken, portfolio)
    logged = [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert f"weekly internal report of project {broken.pk} for 2026-W07 failed" in logged


def test_the_render_and_mail_tasks_called_one_by_one_around_a_broken_project(
    broken: Project, portfolio: Portfolio, mailoutbox: list
) -> None:
    deliveries = services.weekly_deliveries_claim(week=W07)
    with pytest.raises(services.ReportFailed, match="OverflowError"):
        tasks.render_weekly_report(project_id=broken.pk, week="2026-W07")
    tasks.render_weekly_report(project_id=portfolio.shared.pk, week="2026-W07")
    assert [tasks.deliver_weekly_report(delivery_id=pk) for pk in deliveries] == [True] * 4
    assert_sent_around(broken, portfolio)


def test_a_failure_a_retry_may_cure_is_retried_not_mailed_around(
    portfolio: Portfolio, mailoutbox: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(data: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(services.rendering, "report_pdf", disk_full)
    services.weekly_deliveries_claim(week=W07)
    delivery = ReportDelivery.objects.get(recipient=portfolio.manager)
    with pytest.raises(OSError, match="No space left"):
        tasks.deliver_weekly_report(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == ReportDelivery.State.PENDING and mailoutbox == []


def test_a_mail_the_server_refuses_stops_no_other_and_is_tried_again_next_run(
    portfolio: Portfolio, settings: object
) -> None:
    server = Server(unknown=frozenset({"paula@example.com"}))
    with smtp_server(settings, server), pytest.raises(CommandError) as failed:
        err = io.StringIO()
        call_command("send_weekly_reports", stdout=io.StringIO(), stderr=err)

    assert failed.value.returncode == 1
    assert err.getvalue().startswith("Failed: mail to paula@example.com: SMTPRecipientsRefused")
    assert sorted(message["To"] for message in server.received) == sorted(
        ["boss@example.com", "cto@client.example", "otto@example.com"]
    )
    refused = ReportDelivery.objects.get(recipient=portfolio.pm)
    assert refused.state == ReportDelivery.State.RENDERED  # the next run sends it
    assert "No such user" in refused.last_error
