from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clientprogress.pages import render_page, render_regions, wants_partial

from .forms import PreferencesForm
from .selectors import notification_for_user, notification_page, preferences_of, unread_count
from .services import notification_mark_read, notifications_mark_all_read, preferences_update


def _list_context(request: HttpRequest) -> dict:
    return {
        "page": notification_page(user=request.user, number=request.GET.get("page")),
        "bell_unread": unread_count(user=request.user),
    }


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return render_page(request, "notifications/list.html", _list_context(request), "list")


@require_GET
def notification_bell(request: HttpRequest) -> HttpResponse:
    """What the header's bell polls: the bell itself, with the current unread count."""
    return render(
        request, "notifications/_bell.html", {"bell_unread": unread_count(user=request.user)}
    )


@require_http_methods(["GET", "POST"])
def notification_detail(request: HttpRequest, notification_id: int) -> HttpResponse:
    """GET shows one notification; POST marks it read, then opens its item when asked to."""
    notification = notification_for_user(request, notification_id)
    if request.method == "GET":
        return render(request, "notifications/detail.html", {"notification": notification})
    notification_mark_read(notification=notification)
    if "open" in request.POST and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    if wants_partial(request):
        # The item, the bell's count and, once nothing is unread, the "mark all" button.
        context = {"notification": notification, "bell_unread": unread_count(user=request.user)}
        context["item_with_bell"] = True
        return render_regions(request, "notifications/list.html", context, ["item", "read_all"])
    return redirect("notifications:list")


@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    if wants_partial(request):
        context = _list_context(request) | {"bell_oob": True}
        return render(request, "notifications/list.html#list", context)
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST or None, by_email=preferences_of(user=request.user))
    if request.method == "POST" and form.is_valid():
        preferences_update(user=request.user, by_email=form.by_email())
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
