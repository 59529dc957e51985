"""The person's own settings: name, language, time zone; the links to their password and
their notification choices."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from projects.services import user_profile_update

from .forms import ProfileForm
from .pages import add_errors, form_status


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = user_profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            with translation.override(user.language):
                messages.success(request, _("Your profile is saved."))
            return _remember_language(redirect("profile"), user.language)
    context = {"form": form}
    return render(request, "accounts/profile.html", context, status=form_status(form))


def _remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """The browser keeps the language too, as Django's language switch would set it: the pages
    after logging out (the login page) stay in it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
