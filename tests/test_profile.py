"""Each person's own settings (name, language, time zone, password), and the language every page
is read in: the person's choice once logged in, the browser's before."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.urls import reverse

from projects.models import User
from projects.services import user_profile_update
from tests.projects.factories import PASSWORD
from tests.support import client_for

PROFILE = "/accounts/profile/"
CHANGES = {"full_name": "Wang Fang", "language": "zh-hans", "time_zone": "Asia/Shanghai"}


def stored(user: User) -> tuple[str, str, str]:
    user.refresh_from_db()
    return user.full_name, user.language, user.time_zone


def selected(page: str, name: str) -> list[str]:
    """The values a select of the page has chosen."""
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"[^>]*\bselected\b', select)


@pytest.mark.parametrize("persona", ["pm", "client_contact"])
def test_the_profile_shows_the_person_s_choices_and_links_to_password_and_notifications(
    db: None, request, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    User.objects.filter(pk=user.pk).update(language="en", time_zone="Europe/Berlin")
    page = client_for(user).get(PROFILE).content.decode()
    assert f'value="{user.full_name}"' in page
    assert selected(page, "language") == ["en"]
    assert selected(page, "time_zone") == ["Europe/Berlin"]
    assert '<option value="zh-hans">简体中文</option>' in page
    assert page.index('value="Asia/Shanghai"') < page.index('value="Africa/Abidjan"')
    assert f'href="{reverse("password_change")}"' in page
    assert f'href="{reverse("notifications:preferences")}"' in page


@pytest.mark.parametrize(
    ("persona", "next_page"), [("pm", "/projects/"), ("client_contact", "/portal/")]
)
def test_a_saved_profile_applies_from_the_next_request(
    db: None, request, persona: str, next_page: str
) -> None:
    user = request.getfixturevalue(persona)
    http = client_for(user)
    response = http.post(PROFILE, CHANGES, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    assert response.url == PROFILE
    assert stored(user) == ("Wang Fang", "zh-hans", "Asia/Shanghai")
    # The language cookie the answer sets is for the pages after logging out: without it, the
    # stored choice alone must do.
    assert http.cookies.pop(settings.LANGUAGE_COOKIE_NAME).value == "zh-hans"
    page = http.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "您的个人设置已保存。" in page  # the confirmation already reads in the new language
    assert "退出登录" in page
    assert f'<a href="{PROFILE}">Wang Fang</a>' in page
    home = http.get(next_page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "退出登录" in home and "Log out" not in home


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name", "", "Enter your name."),
        ("full_name", "   ", "Enter your name."),
        ("language", "fr", "Select a valid choice. fr is not one of the available choices."),
        ("time_zone", "Mars/Olympus", "Select a valid choice."),
        ("time_zone", "", "This field is required."),
    ],
)
@pytest.mark.parametrize("persona", ["pm", "client_contact"])
def test_bad_input_is_refused_with_422_and_loses_nothing(
    db: None, request, persona: str, field: str, value: str, message: str
) -> None:
    user = request.getfixturevalue(persona)
    before = stored(user)
    response = client_for(user).post(PROFILE, CHANGES | {field: value})
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert stored(user) == before
    # What the person typed is still in the form; the header still shows who they are.
    for name in {"full_name"} - {field}:
        assert f'value="{CHANGES[name]}"' in page
    for name in {"language", "time_zone"} - {field}:
        assert selected(page, name) == [CHANGES[name]]
    assert f'<a href="{PROFILE}">{before[0]}</a>' in page


def test_a_stored_zone_left_out_of_the_list_stays_selected_and_is_kept(pm: User) -> None:
    """An old alias (set in the admin, say) is offered with the rest: saving the name alone
    must not move the person to another zone."""
    User.objects.filter(pk=pm.pk).update(time_zone="PRC")
    http = client_for(pm)
    page = http.get(PROFILE).content.decode()
    assert selected(page, "time_zone") == ["PRC"]
    assert http.post(PROFILE, CHANGES | {"time_zone": "PRC"}).status_code == 302
    assert stored(pm) == ("Wang Fang", "zh-hans", "PRC")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": " "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"language": ""}, "language"),
        ({"language": "fr"}, "language"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ],
)
def test_the_service_refuses_what_the_form_would_and_changes_nothing(
    pm: User, changes: dict, field: str
) -> None:
    before = stored(pm)
    with pytest.raises(ValidationError) as refused:
        user_profile_update(user=pm, **CHANGES | changes)
    assert list(refused.value.message_dict) == [field]
    assert stored(pm) == before
    assert (pm.full_name, pm.language, pm.time_zone) == before


def test_the_name_in_the_header_links_to_the_profile(pm: User, client_contact: User) -> None:
    for user, page in ((pm, "/projects/"), (client_contact, "/portal/")):
        html = client_for(user).get(page).content.decode()
        assert f'<a href="{PROFILE}">{user.full_name}</a>' in html


def test_a_new_user_has_the_site_s_time_zone(db: None) -> None:
    assert User.objects.create_user("new@example.com", PASSWORD).time_zone == settings.TIME_ZONE


# Changing the password, in our layout.


def test_the_password_is_changed_on_pages_of_ours_in_the_reader_s_language(pm: User) -> None:
    User.objects.filter(pk=pm.pk).update(language="zh-hans")
    http = client_for(pm)
    form = http.get(reverse("password_change")).content.decode()
    assert "<h1>修改密码</h1>" in form and "退出登录" in form
    new = "a brand new secret 42"
    wrong = http.post(
        reverse("password_change"),
        {"old_password": "not it", "new_password1": new, "new_password2": new},
    )
    assert "您的旧密码不正确" in wrong.content.decode()  # Django's own message, in Chinese
    done = http.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )
    page = done.content.decode()
    assert done.redirect_chain[-1][0] == reverse("password_change_done")
    assert "密码已保存" in page and "退出登录" in page  # still logged in, in our header
    assert f'href="{PROFILE}"' in page
    logged_in = HttpClient().post(reverse("login"), {"username": pm.email, "password": new})
    assert logged_in.status_code == 302


# The reader's language.


def page_language(response: object) -> str:
    return re.search(r'<html lang="([^"]+)">', response.content.decode()).group(1)


@pytest.mark.parametrize(
    ("stored_language", "browser", "read_in"),
    [
        ("zh-hans", "en", "zh-hans"),  # the person's choice wins over their browser's
        ("en", "zh-CN,zh;q=0.9", "en"),
        ("", "zh-CN,zh;q=0.9", "zh-hans"),  # who never chose reads their browser's
        ("", "en", "en"),
    ],
)
def test_a_signed_in_person_reads_their_own_language(
    pm: User, project: object, stored_language: str, browser: str, read_in: str
) -> None:
    User.objects.filter(pk=pm.pk).update(language=stored_language)
    response = client_for(pm).get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE=browser)
    assert page_language(response) == read_in
    assert response["Content-Language"] == read_in
    assert ("退出登录" in response.content.decode()) == (read_in == "zh-hans")


@pytest.mark.parametrize(("site_language", "browser"), [("en", "zh-CN"), ("zh-hans", "en")])
def test_a_stored_language_we_do_not_offer_falls_back_to_the_site_s(
    pm: User, settings, site_language: str, browser: str
) -> None:
    settings.LANGUAGE_CODE = site_language
    User.objects.filter(pk=pm.pk).update(language="fr")  # offered once, or set by hand
    response = client_for(pm).get(PROFILE, HTTP_ACCEPT_LANGUAGE=browser)
    assert response.status_code == 200
    assert page_language(response) == site_language
    assert selected(response.content.decode(), "language") == [site_language]


@pytest.mark.parametrize("page", ["login", "password_reset"])
def test_pages_before_logging_in_follow_the_browser(anonymous: HttpClient, page: str) -> None:
    chinese = anonymous.get(reverse(page), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert page_language(chinese) == "zh-hans"
    assert "邮箱地址" in chinese.content.decode()
    english = HttpClient().get(reverse(page), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")
    assert page_language(english) == "en"


def test_the_language_switch_on_the_login_page_changes_the_language(db: None) -> None:
    anonymous = HttpClient(enforce_csrf_checks=True)  # the switch is a real form: it has a token
    page = anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    switch = re.search(
        r'<form method="post" action="([^"]+)" class="language-switch".*?</form>', page, re.S
    )
    assert switch.group(1) == reverse("set_language")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', switch.group(0)).group(1)
    assert 'name="language" value="zh-hans" lang="zh-hans">简体中文</button>' in switch.group(0)
    response = anonymous.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": token, "language": "zh-hans", "next": reverse("login")},
    )
    assert response.status_code == 302
    assert response.url == reverse("login")
    chinese = anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<h1>登录</h1>" in chinese
    assert 'name="language" value="en" lang="en">English</button>' in chinese
    anonymous.post(
        reverse("set_language"),
        {"csrfmiddlewaretoken": token, "language": "en", "next": reverse("login")},
    )
    assert "<h1>Log in</h1>" in anonymous.get(reverse("login")).content.decode()


@pytest.mark.parametrize(
    "header",
    [
        "garbage",
        "zh-CN;q=banana",
        ";;;,,,q=",
        "*;q=0.5, ??-??",
        "en-" * 400,
        "zh-Hans-CN-x-private-very-long-subtag;q=1.5",
        "\u00e9\u00e8, zh",
    ],
)
def test_a_bad_accept_language_header_never_breaks_a_page(
    anonymous: HttpClient, pm: User, header: str
) -> None:
    assert anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=header).status_code == 200
    assert client_for(pm).get(PROFILE, HTTP_ACCEPT_LANGUAGE=header).status_code == 200


def test_the_chosen_language_stays_on_the_login_page_after_logging_out(pm: User) -> None:
    http = client_for(pm)
    http.post(PROFILE, CHANGES)
    logged_out = http.post(reverse("logout"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "您已退出登录" in logged_out
    login = http.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")
    assert page_language(login) == "zh-hans"
