"""Django's own msgids that our catalogue translates again.

Catalogues in LOCALE_PATHS win over Django's, so listing a msgid here puts it into
locale/*/LC_MESSAGES/django.po (the extractor reads these calls like any other) and our
translation replaces Django's wherever it shows: the admin, form errors, password rules.
Each one is here because Django's zh-hans wording says something else than our glossary, reads
badly beside our pages, or is wrong. The strings must stay exactly as Django writes them:
tests/test_catalogue.py checks that Django still has each one. Nothing imports this module.
"""

# Django writes its apostrophes as U+2019; the msgids must match it character for character.
# ruff: noqa: RUF001

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MSGIDS = (
    # The glossary's words: 退出登录 (not 注销), 筛选 (not 过滤器), 添加 (not 增加).
    gettext_noop("Log out"),
    gettext_noop("Filter"),
    gettext_noop(" By %(filter_title)s "),
    gettext_noop("Add"),
    gettext_noop("Add %s"),
    gettext_noop("Add %(name)s"),
    gettext_noop("Add another %(model)s"),
    # Wrong in Django's catalogue: 取消选中 means "deselect", 站点管理员 a person.
    gettext_noop("Delete selected %(model)s"),
    gettext_noop("Django site admin"),
    # 操作 rather than 动作 for an admin action; the colon and full stops Django leaves out.
    gettext_noop("Action:"),
    gettext_noop("Run the selected action"),
    gettext_noop("No action selected."),
    gettext_noop("Recent actions"),
    gettext_noop("My actions"),
    gettext_noop("None available"),
    gettext_noop("Breadcrumbs"),
    gettext_noop(
        "Please enter the correct %(username)s and password for a staff account. Note that both "
        "fields may be case-sensitive."
    ),
    # What follows every form label: Chinese text takes the full-width colon.
    gettext_noop(":"),
    # Form errors a person meets on our own pages (变量 "variable", 字段 "field", "Email").
    gettext_noop("This field is required."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid “slug” consisting of letters, numbers, underscores or hyphens."),
    gettext_noop("%(model_name)s with this %(field_label)s already exists."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
    gettext_noop("Select a valid choice. That choice is not one of the available choices."),
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    ),
    # Durations in escalation texts: "3 月" reads as March; the glossary says 天 for days.
    ngettext_lazy("%(num)d day", "%(num)d days"),
    ngettext_lazy("%(num)d month", "%(num)d months"),
    # The set-password pages clients see first (invitation, reset) and the password change on
    # the profile: 您 as everywhere else.
    gettext_noop("Email"),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("New password confirmation"),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
    ngettext_lazy(
        "This password is too short. It must contain at least %(min_length)d character.",
        "This password is too short. It must contain at least %(min_length)d characters.",
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
    ),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
)
