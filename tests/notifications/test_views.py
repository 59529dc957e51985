import re

import pytest
from django.urls import reverse

from notifications.models import Notification, NotificationPreference
from notifications.services import notify
from projects.models import Project, User
from tests.notifications.factories import NotificationFactory
from tests.support import client_for

HTMX = {"HTTP_HX_REQUEST": "true"}


def detail(notification: Notification) -> str:
    return reverse("notifications:detail", args=[notification.pk])


def test_the_bell_counts_only_the_users_unread_notifications(pm: User, member: User) -> None:
    NotificationFactory.create_batch(3, recipient=pm)
    NotificationFactory(recipient=pm, read_at="2026-03-01T12:00Z")
    NotificationFactory(recipient=member)
    response = client_for(pm).get(reverse("notifications:bell"))
    assert response.context["bell_unread"] == 3
    assert b'data-unread="3"' in response.content
    assert b'hx-trigger="every 30s"' in response.content


def test_every_page_polls_the_bell_without_counting_itself(pm: User) -> None:
    page = client_for(pm).get(reverse("notifications:list")).content.decode()
    assert f'hx-get="{reverse("notifications:bell")}"' in page


def test_the_list_shows_the_users_own_notifications_newest_first(
    pm: User, member: User, project: Project
) -> None:
    NotificationFactory(recipient=pm, title="Older", created_at="2026-03-01T12:00Z")
    NotificationFactory(recipient=pm, title="Newer", project=project)
    NotificationFactory(recipient=member, title="Not for the PM")
    response = client_for(pm).get(reverse("notifications:list"))
    assert [n.title for n in response.context["page"].object_list] == ["Newer", "Older"]
    assert "Not for the PM" not in response.content.decode()
    assert project.name in response.content.decode()


@pytest.mark.parametrize("count", [5, 60])
def test_the_list_query_count_does_not_grow_with_notifications(
    pm: User, project: Project, django_assert_max_num_queries, count: int
) -> None:
    NotificationFactory.create_batch(count, recipient=pm, project=project)
    http = client_for(pm)
    with django_assert_max_num_queries(5):
        response = http.get(reverse("notifications:list"))
    assert len(response.context["page"].object_list) == min(count, 25)


def test_an_htmx_list_request_gets_only_the_list(pm: User) -> None:
    NotificationFactory(recipient=pm)
    content = client_for(pm).get(reverse("notifications:list"), **HTMX).content.decode()
    assert content.lstrip().startswith('<section id="notifications"')
    assert "<html" not in content


def test_marking_one_read_without_javascript_returns_to_the_list(pm: User) -> None:
    notification = NotificationFactory(recipient=pm)
    response = client_for(pm).post(detail(notification))
    assert response.status_code == 302
    assert response.url == reverse("notifications:list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_one_read_with_htmx_swaps_the_item_and_updates_the_bell(pm: User) -> None:
    notification, _other = NotificationFactory.create_batch(2, recipient=pm)
    content = client_for(pm).post(detail(notification), **HTMX).content.decode()
    assert content.lstrip().startswith(f'<li id="notification-{notification.pk}"')
    assert 'hx-swap-oob="true"' in content
    assert 'data-unread="1"' in content
    assert "Mark as read" not in content


def test_marking_the_last_unread_one_read_takes_the_mark_all_button_away(pm: User) -> None:
    first, last = NotificationFactory.create_batch(2, recipient=pm)
    http = client_for(pm)
    one_left = http.post(detail(first), **HTMX).content.decode()
    assert re.search(r'<div id="read-all" hx-swap-oob="true">\s*<form', one_left)
    none_left = http.post(detail(last), **HTMX).content.decode()
    assert re.search(r'<div id="read-all" hx-swap-oob="true">\s*</div>', none_left)
    assert "Mark all as read" not in none_left


def test_opening_a_notification_marks_it_read_and_goes_to_its_item(pm: User) -> None:
    notification = NotificationFactory(recipient=pm, link="/projects/7/")
    response = client_for(pm).post(detail(notification), {"open": "1"})
    assert response.url == "/projects/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_never_followed(pm: User) -> None:
    notification = NotificationFactory(recipient=pm, link="https://evil.example/")
    response = client_for(pm).post(detail(notification), {"open": "1"})
    assert response.url == reverse("notifications:list")


def test_the_detail_page_shows_the_whole_text(pm: User) -> None:
    notification = NotificationFactory(recipient=pm, text="Line one\nLine two " + "x" * 300)
    response = client_for(pm).get(detail(notification))
    assert "Line one<br>Line two " + "x" * 300 in response.content.decode()


def test_someone_elses_notification_does_not_exist_for_the_user(
    pm: User, member: User, client_contact: User
) -> None:
    notification = NotificationFactory(recipient=pm)
    for outsider in (member, client_contact):
        http = client_for(outsider)
        assert http.get(detail(notification)).status_code == 404
        assert http.post(detail(notification), {"open": "1"}).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_clears_only_the_users_own(pm: User, member: User) -> None:
    NotificationFactory.create_batch(3, recipient=pm)
    others = NotificationFactory(recipient=member)
    response = client_for(pm).post(reverse("notifications:read_all"))
    assert response.url == reverse("notifications:list")
    assert not Notification.objects.filter(recipient=pm, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_mark_all_read_with_htmx_returns_the_list_and_an_empty_bell(pm: User) -> None:
    NotificationFactory.create_batch(2, recipient=pm)
    content = client_for(pm).post(reverse("notifications:read_all"), **HTMX).content.decode()
    assert content.lstrip().startswith('<section id="notifications"')
    assert 'hx-swap-oob="true"' in content
    assert "data-unread" not in content


def test_reading_is_post_only(pm: User) -> None:
    assert client_for(pm).get(reverse("notifications:read_all")).status_code == 405


def test_preferences_default_to_email_and_save_in_app_only(pm: User) -> None:
    http = client_for(pm)
    form = http.get(reverse("notifications:preferences")).context["form"]
    assert set(form.initial.values()) == {"email"}
    choices = dict.fromkeys(Notification.Kind.values, "email") | {"overdue": "app"}
    response = http.post(reverse("notifications:preferences"), choices, follow=True)
    assert "Your notification choices are saved." in response.content.decode()
    chosen = NotificationPreference.objects.get(user=pm, kind="overdue")
    assert chosen.by_email is False
    assert notify(recipient_ids=[pm.pk], kind="overdue", title="Late", dedupe_key="k") == 1
    assert Notification.objects.get(dedupe_key="k").email_state == "skipped"


def test_a_bad_preference_is_refused_and_the_other_choices_are_kept(pm: User) -> None:
    choices = dict.fromkeys(Notification.Kind.values, "app") | {"overdue": "pigeon"}
    response = client_for(pm).post(reverse("notifications:preferences"), choices)
    assert response.status_code == 200
    form = response.context["form"]
    assert "overdue" in form.errors
    assert re.search(r'name="feedback" value="app"[^>]*checked', response.content.decode())
    assert not NotificationPreference.objects.exists()


def test_client_contacts_have_a_bell_and_a_list_too(client_contact: User) -> None:
    NotificationFactory(recipient=client_contact, title="Please sign off")
    response = client_for(client_contact).get(reverse("notifications:list"))
    assert "Please sign off" in response.content.decode()
