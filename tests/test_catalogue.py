"""The zh-hans catalogue covers every msgid of ours, keeps their placeholders, and is the one
Django really uses; the commands that build it need no GNU gettext."""

# Chinese text has its own full-width punctuation.
# ruff: noqa: RUF001

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from clientprogress import catalogues
from projects.models import Project, User
from tests.projects.factories import PASSWORD, UserFactory
from tests.support import ProjectObjects, client_for
from tests.urlwalk import DUMMY, routes, url_with

ZH_PO = catalogues.po_path("zh_Hans")
DJANGO_DIR = Path(translation.__file__).resolve().parent.parent.parent


@pytest.fixture(scope="module")
def ours() -> Catalog:
    return catalogues.extract_catalogue()


@pytest.fixture(scope="module")
def zh() -> Catalog:
    return catalogues.read_catalogue(ZH_PO)


def describe(message: Message) -> str:
    context = f" (context {message.context!r})" if message.context else ""
    return catalogues.msgid_text(message) + context


def test_every_msgid_of_ours_is_in_the_catalogue_and_translated(ours: Catalog, zh: Catalog) -> None:
    assert len(ours) > 500  # the extractor found the code's strings, not next to nothing
    missing, untranslated, fuzzy = [], [], []
    for message in ours:
        if not message.id:
            continue
        entry = zh.get(message.id, context=message.context)
        if entry is None or entry.id != message.id:  # a plural needs the same msgid_plural
            missing.append(describe(message))
        elif not catalogues.is_translated(entry):
            untranslated.append(describe(message))
        elif entry.fuzzy:
            fuzzy.append(describe(message))
    hint = "run `python manage.py extract_catalogues` and translate the new msgids"
    assert missing == [], f"not in {ZH_PO.name}: {hint}"
    assert untranslated == [], hint
    assert fuzzy == [], "check these translations and remove their fuzzy flag"


def test_the_catalogue_has_one_plural_form(zh: Catalog) -> None:
    assert zh.num_plurals == 1
    assert zh.plural_expr == "0"
    assert not zh.fuzzy


def test_translations_keep_the_msgid_placeholders(zh: Catalog) -> None:
    errors = {
        catalogues.msgid_text(message): problems
        for message in zh
        if message.id
        and (problems := catalogues.placeholder_errors(message, num_plurals=zh.num_plurals))
    }
    assert errors == {}


def test_the_placeholder_check_finds_differences() -> None:
    catalogue = Catalog(locale="zh_Hans")
    catalogue.add("Hello %(name)s", "你好")
    catalogue.add("%(done)s of %(total)s", "%(done)s / %(totl)s")
    catalogue.add("at least 90 %%", "至少 90%")
    catalogue.add("<strong>late</strong> now", "现在延期")
    catalogue.add(("%(counter)s card", "%(counter)s cards"), ("卡片",))
    catalogue.add(("One project.", "%(counter)s projects."), ("%(counter)s 个项目。",))
    catalogue.add("Page %(number)s of %(total)s", "第 %(number)s 页，共 %(total)s 页")
    flagged = {
        catalogues.msgid_text(message)
        for message in catalogue
        if message.id and catalogues.placeholder_errors(message, num_plurals=1)
    }
    assert flagged == {
        "Hello %(name)s",
        "%(done)s of %(total)s",
        "at least 90 %%",
        "<strong>late</strong> now",
        "%(counter)s card",
    }


def test_each_django_msgid_we_translate_again_is_still_django_s() -> None:
    """A Django upgrade that rewords one of them would silently bring its old wording back."""
    django_msgids = set()
    for app in ["conf", "contrib/admin", "contrib/auth"]:
        po = DJANGO_DIR / app / "locale/zh_Hans/LC_MESSAGES/django.po"
        django_msgids |= {message.id for message in catalogues.read_catalogue(po) if message.id}
    wording = catalogues.BASE_DIR / "clientprogress" / "django_wording.py"
    overrides = [message for _line, message, _c, _ctx in catalogues.extract_file(wording)]
    assert len(overrides) > 30
    assert [msgid for msgid in overrides if msgid not in django_msgids] == []


@pytest.mark.django_db
def test_the_login_page_speaks_chinese_to_a_chinese_browser(anonymous: object) -> None:
    page = anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in page
    assert "邮箱地址" in page  # our label for the e-mail field
    assert "忘记密码？" in page
    assert "Forgot your password?" not in page


@pytest.mark.django_db
def test_a_wrong_password_is_refused_in_chinese(anonymous: object) -> None:
    UserFactory(email="pm@example.com")
    response = anonymous.post(
        reverse("login"),
        {"username": "pm@example.com", "password": PASSWORD + "x"},
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )
    assert "邮箱地址或密码不正确" in response.content.decode()


def test_log_out_reads_in_the_glossary_s_words(pm: User, project: Project) -> None:
    page = (
        client_for(pm).get(reverse("projects:list"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    )
    assert "退出登录" in page
    assert "注销" not in page
    assert "筛选" in page
    assert "Log out" not in page


def test_an_active_language_reads_the_compiled_catalogue() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Log out") == "退出登录"
        assert translation.gettext("Development & testing") == "开发测试"
        assert translation.ngettext("%(num)d day", "%(num)d days", 3) % {"num": 3} == "3 天"
    with translation.override("en"):
        assert translation.gettext("Log out") == "Log out"


def test_the_admin_uses_our_words_over_django_s(project: Project) -> None:
    admin = client_for(UserFactory(role=User.Role.MANAGER, is_staff=True, is_superuser=True))
    page = admin.get(
        reverse("admin:projects_project_changelist"), HTTP_ACCEPT_LANGUAGE="zh-CN"
    ).content.decode()
    assert "退出登录" in page and "注销" not in page
    assert "筛选" in page and "过滤器" not in page
    assert "项目经理" in page  # our field's verbose name in the list's header


@pytest.mark.parametrize("persona", ["pm", "client_contact"])
def test_every_page_renders_in_chinese(
    request, persona: str, project_objects: ProjectObjects
) -> None:
    """A translation that breaks its text's formatting fails the page; each one shows here."""
    http = client_for(request.getfixturevalue(persona))
    ours = 0
    for route in routes():
        response = http.get(url_with(route, DUMMY | project_objects.ids), HTTP_ACCEPT_LANGUAGE="zh")
        assert response.status_code < 500, route.name
        if response.streaming or response.status_code != 200:
            continue  # downloads, redirects, 404s
        body = response.content.decode(errors="replace")
        if "<html" in body:  # whole pages, not htmx fragments
            assert 'lang="zh-hans"' in body, route.name
            if "· Client Progress</title>" in body:  # our layout (a few are Django's admin's)
                assert "退出登录" in body, route.name
                ours += 1
    assert ours > 5


def test_language_names_are_their_own(db: None) -> None:
    assert dict(settings.LANGUAGES) == {"en": "English", "zh-hans": "简体中文"}


# The commands, on catalogues of their own.


def write_po(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n' + text,
        encoding="utf-8",
    )
    return path


def test_compiling_refuses_fuzzy_and_broken_entries(tmp_path: Path) -> None:
    po = write_po(
        tmp_path / "zh_Hans/LC_MESSAGES/django.po",
        'msgid "Save"\nmsgstr "保存"\n\n'
        '#, fuzzy\nmsgid "Cancel"\nmsgstr "取消"\n\n'
        '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "你好 %(nmae)s"\n\n'
        'msgid "Back"\nmsgstr ""\n\n'
        'msgid "%(counter)s card"\nmsgid_plural "%(counter)s cards"\n'
        'msgstr[0] "%(counter)s 张卡片"\n',
    )
    compiled = catalogues.compile_catalogue(po)
    assert set(compiled.refused) == {"Cancel", "Hello %(name)s"}
    assert [message.id for message in compiled.untranslated] == ["Back"]
    with compiled.mo.open("rb") as mo:
        read = gettext.GNUTranslations(mo)
    assert read.gettext("Save") == "保存"
    assert read.gettext("Cancel") == "Cancel"
    assert read.gettext("Hello %(name)s") == "Hello %(name)s"
    assert read.ngettext("%(counter)s card", "%(counter)s cards", 5) == "%(counter)s 张卡片"


def test_extracting_keeps_translations_and_adds_new_msgids_untranslated(tmp_path: Path) -> None:
    po = write_po(
        tmp_path / "zh_Hans/LC_MESSAGES/django.po",
        'msgid "Save"\nmsgstr "保存"\n\nmsgid "Gone"\nmsgstr "没了"\n',
    )
    template = Catalog()
    template.add("Save", locations=[("templates/a.html", 1)])
    template.add("Saved it", locations=[("templates/a.html", 2)])
    template.add(("%(n)s card", "%(n)s cards"), locations=[("projects/b.py", 3)])
    added, dropped = catalogues.update_catalogue(po, template)
    assert sorted(catalogues.msgid_text(m) for m in added) == ["%(n)s card", "Saved it"]
    assert [message.id for message in dropped] == ["Gone"]
    merged = catalogues.read_catalogue(po)
    assert merged.get("Save").string == "保存"
    assert merged.get("Saved it").string == ""
    assert not merged.get("Saved it").fuzzy  # not a guess from "Save"
    assert merged.get("%(n)s card").id == ("%(n)s card", "%(n)s cards")
    assert '#~ msgid "Gone"' in po.read_text(encoding="utf-8")
    # A second run with the same code changes nothing, obsolete entries included.
    before = po.read_text(encoding="utf-8")
    catalogues.update_catalogue(po, template)
    assert po.read_text(encoding="utf-8") == before


def test_templates_are_extracted_like_makemessages_does(tmp_path: Path) -> None:
    template = tmp_path / "page.html"
    template.write_text(
        "{% load i18n %}\n  <p>\n    {% translate 'Hello' context 'greeting' %}\n  </p>\n"
        "{% blocktranslate count counter=n %}{{ counter }} card{% plural %}"
        "{{ counter }} cards{% endblocktranslate %}\n"
        "{% blocktranslate trimmed with name=user %}\n  Hi\n  {{ name }}, 90 %\n"
        "{% endblocktranslate %}\n"
    )
    found = {
        (message, context) for _line, message, _c, context in catalogues.extract_file(template)
    }
    assert found == {
        ("Hello", "greeting"),
        (("%(counter)s card", "%(counter)s cards"), None),
        ("Hi %(name)s, 90 %%", None),
    }


def test_the_commands_run_without_gettext_tools(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no msgfmt, no xgettext
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path / "locale")
    call_command("extract_catalogues", "--locale", "zh_Hans", stdout=io.StringIO())
    po = tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"
    created = catalogues.read_catalogue(po)
    assert created.get("Log out") is not None and created.get("Log out").string == ""
    call_command("compile_catalogues", stdout=io.StringIO())
    assert po.with_suffix(".mo").stat().st_size > 0
