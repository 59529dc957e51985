"""How every page of ours answers: htmx requests get the partial they swap, plain requests the
whole page; forms on their own page say with their status whether they were refused."""

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest, template: str, context: dict, partial: str, status: int = 200
) -> HttpResponse:
    """htmx requests get the named partial they swap, plain requests the whole page."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context, status=status)


def form_status(form: Form) -> int:
    """422 for a form that was sent and refused, 200 for one shown to be filled in."""
    return 422 if form.is_bound else 200


def render_form(
    request: HttpRequest, form: Form, *, title: str, back: str, status: int = 200, **extra: object
) -> HttpResponse:
    """A form on its own page: what links open without JavaScript, and where errors show."""
    context = {"form": form, "title": title, "back": back, "action": request.path} | extra
    return render_page(request, "form_page.html", context, "form", status)


def add_errors(form: Form, error: ValidationError) -> None:
    """A service's refusal shown on the form: by field where the form has it, else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, errors in error.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)
