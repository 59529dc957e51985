"""Reads on notifications."""

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from .models import Notification, NotificationPreference

User = get_user_model()

PAGE_SIZE = 25


def notification_for_user(request: HttpRequest, notification_id: int) -> Notification:
    """A notification exists only for its recipient: anyone else gets 404."""
    if not request.user.is_authenticated:
        raise Http404
    mine = Notification.objects.filter(recipient=request.user).select_related("project")
    return get_object_or_404(mine, pk=notification_id)


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_page(*, user: User, number: str | None) -> Page:
    """One page of the user's notifications, newest first, ready to render."""
    notifications = Notification.objects.filter(recipient=user).select_related("project")
    page = Paginator(notifications, PAGE_SIZE).get_page(number)
    page.object_list = list(page.object_list)
    return page


def preferences_of(*, user: User) -> dict[str, bool]:
    """Per kind, whether it is e-mailed at once (the default) or shown in the app only."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "by_email"))
    return {kind: chosen.get(kind, True) for kind in Notification.Kind.values}
