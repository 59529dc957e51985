"""How every page of ours answers: htmx requests get the partial they swap, plain requests (and
htmx restoring its history) the whole page; forms on their own page say with their status
whether they were refused; and what every answer tells caches."""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

# Set on a request whose answer was chosen by its HX-Request header.
_VARIES_ON_HTMX = "_answer_varies_on_htmx"


def wants_partial(request: HttpRequest) -> bool:
    """Whether to answer with the part htmx swaps instead of the whole page: the one place every
    view decides. htmx restoring a page it no longer holds in its history cache sends
    HX-Request too, and puts what it gets in place of the whole page, so it gets the page."""
    setattr(request, _VARIES_ON_HTMX, True)
    return bool(request.htmx) and not request.htmx.history_restore_request


def render_page(
    request: HttpRequest, template: str, context: dict, partial: str, status: int = 200
) -> HttpResponse:
    """htmx requests get the named partial they swap, plain requests the whole page."""
    name = f"{template}#{partial}" if wants_partial(request) else template
    return render(request, name, context, status=status)


def render_regions(
    request: HttpRequest, template: str, context: dict, regions: list[str], status: int = 200
) -> HttpResponse:
    """An htmx answer to a write: the first named partial for the element the request targets,
    then every other region of the page that shows what the write changed, each swapped in by
    its id (the region's root element carries hx-swap-oob when `oob` is set)."""
    first, *others = regions
    html = [render_to_string(f"{template}#{first}", context, request)]
    html += [
        render_to_string(f"{template}#{name}", context | {"oob": True}, request) for name in others
    ]
    return HttpResponse("".join(html), status=status)


@dataclass(frozen=True)
class Undo:
    """A line saying what was just done, with a button that takes it back until `until`
    (templates/_undo.html; site.js takes the button away once it is too late)."""

    text: str
    action: str
    until: datetime.datetime
    fields: dict[str, object] = field(default_factory=dict)
    hx_target: str = ""
    hx_swap: str = "outerHTML"

    @property
    def seconds_left(self) -> int:
        """Counted here, not from the browser's clock, which may be off."""
        return max(math.ceil((self.until - timezone.now()).total_seconds()), 0)


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


class CacheHeadersMiddleware:
    """What caches are told. An answer chosen by wants_partial varies on HX-Request, so that
    no cache (the browser's own included) hands a partial to a page load or the page to htmx;
    and what a logged-in person sees is theirs and current, so it is kept by their browser
    alone and checked again before each use (answers that set their own, like never_cache
    views, keep it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(request, _VARIES_ON_HTMX, False):
            patch_vary_headers(response, ["HX-Request"])
        if request.user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        return response
