"""The board: its page (reused per visitor until the board changes), its cards, the panel."""

import datetime
import hashlib
import secrets
from zlib import crc32

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from clientprogress.access import (
    archived_card_for_user,
    board_version_for_user,
    can_plan,
    card_for_user,
    internal_only,
    project_for_user,
    require_planner,
)
from clientprogress.pages import (
    Undo,
    add_errors,
    form_status,
    render_form,
    render_page,
    wants_partial,
)
from milestones.selectors import project_milestones
from projects import services
from projects.models import TaskCard, User
from projects.selectors import (
    BoardFilters,
    board_card,
    board_columns,
    local_today,
    project_people,
)

from .forms import BoardFilterForm, CardDueForm, CardForm, CardMoveForm, QuickAddForm

BOARD_CHANGED = "board-changed"
# Board pages are cached in each process's own memory (see CACHES) with this in place of the
# visitor's CSRF token: unguessable, so no card text can ever turn into a token.
CSRF_SLOT = secrets.token_hex(16)
fragments = caches["fragments"]


def _board_filters(form: BoardFilterForm, user: User) -> BoardFilters:
    if not form.is_valid():
        return BoardFilters()
    data = form.cleaned_data
    return BoardFilters(
        assignee_id=user.pk if data["mine"] else data["assignee"] or None,
        milestone_id=data["milestone"] or None,
        responsible=data["responsible"],
        late=data["late"],
    )


def _cards_html(cards: list[dict]) -> str:
    """The cards' HTML, each card's reused while its version, its lateness, its assignee's name
    and the language are unchanged: after a write, only the cards it changed are rendered again.
    A person renamed (in the admin) changes their cards without touching the cards' versions,
    which would make anyone editing one of them start again."""
    template, language = get_template("projects/_cards.html#card"), get_language()
    keys = [
        f"card:{c['id']}:{c['version']}:{c['late']}:{language}:{crc32(str(c['assignee']).encode())}"
        for c in cards
    ]
    html = fragments.get_many(keys)
    missing = {
        key: template.render({"c": card})
        for key, card in zip(keys, cards, strict=True)
        if key not in html
    }
    fragments.set_many(missing, settings.BOARD_CACHE_SECONDS)
    html |= missing  # rendered templates, escaped as they were rendered
    return mark_safe("".join(html[key] for key in keys))


def _render_board(
    request: HttpRequest, project_id: int, version: int, today: datetime.date
) -> list[bytes]:
    """The board page, cut where the visitor's CSRF token goes."""
    project = project_for_user(request, project_id)
    people, milestones = project_people(project=project), project_milestones(project=project)
    form = BoardFilterForm(request.GET, people=people, milestones=milestones)
    filters = _board_filters(form, request.user)
    columns = [
        {
            "status": column.status,
            "label": column.label,
            "count": len(column.cards),
            "html": _cards_html(column.cards),
        }
        for column in board_columns(project=project, filters=filters, today=today)
    ]
    context = {
        "project": project,
        "form": form,
        "filtered": filters != BoardFilters(),
        "columns": columns,
        "version": version,
        "poll_seconds": settings.BOARD_POLL_SECONDS,
        "csrf_token": CSRF_SLOT,
    }
    response = render_page(request, "projects/board.html", context, "columns")
    return response.content.split(CSRF_SLOT.encode())


def _board_key(request: HttpRequest, project_id: int, version: int, today: datetime.date) -> str:
    """Everything the page depends on besides the board itself and the CSRF token. The board
    shows no time of day today (due dates are the client's days); the reader's zone is in the
    key all the same, so that the first time it shows is never served in another zone."""
    user = request.user
    parts = (project_id, version, today, get_language(), get_current_timezone_name())
    parts += (wants_partial(request), request.get_full_path())
    parts += (user.pk, str(user), user.role, user.is_staff)
    return "board:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@require_GET
@internal_only
def board(request: HttpRequest, project_id: int) -> HttpResponse:
    """Rendering hundreds of cards is most of a board request, so the page is reused for the
    same visitor, filters and day until a write raises the project's board version."""
    version, time_zone = board_version_for_user(request, project_id)
    today = local_today(time_zone)

    def render() -> list[bytes]:
        return _render_board(request, project_id, version, today)

    if len(messages.get_messages(request)):
        page = render()  # a page with a one-time message on it is neither reused nor kept
    else:
        key = _board_key(request, project_id, version, today)
        page = cache.get_or_set(key, render, settings.BOARD_CACHE_SECONDS)
    return HttpResponse(get_token(request).encode().join(page))


@require_GET
@internal_only
@never_cache
def board_version(request: HttpRequest, project_id: int) -> HttpResponse:
    """What an open board asks now and then, to fetch its columns again only when someone
    changed them."""
    version, _time_zone = board_version_for_user(request, project_id)
    return HttpResponse(str(version), content_type="text/plain")


def _board_changed(response: HttpResponse) -> HttpResponse:
    """Tells the board on the page to fetch its columns again."""
    return trigger_client_event(response, BOARD_CHANGED)


def _in_panel(response: HttpResponse) -> HttpResponse:
    """An answer to a board request that is shown in the side panel instead."""
    return _board_changed(reswap(retarget(response, "#panel"), "innerHTML"))


@require_http_methods(["GET", "POST"])
@internal_only
def card_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    form = QuickAddForm(request.POST or None, initial={"status": request.GET.get("status")})
    if request.method == "POST" and form.is_valid():
        services.card_create(actor=request.user, project=project, **form.cleaned_data)
        if wants_partial(request):
            return _board_changed(HttpResponse(status=204))
        return redirect("projects:board", project.pk)
    back = reverse("projects:board", args=[project.pk])
    response = render_form(request, form, title=_("New card"), back=back, status=form_status(form))
    return _in_panel(response) if wants_partial(request) and form.is_bound else response


def _card_form(card: TaskCard, data: dict | None = None) -> CardForm:
    people = project_people(project=card.project)
    milestones = project_milestones(project=card.project)
    initial = {"version": card.version}
    # The panel shows beside the board's filter bar, which has fields of the same names.
    return CardForm(
        data,
        instance=card,
        initial=initial,
        people=people,
        milestones=milestones,
        auto_id="card-%s",
    )


def _move_form(card: TaskCard) -> CardMoveForm:
    """The panel's Move control: the keyboard's way to do what a drag does."""
    initial = {"version": card.version, "status": card.status}
    return CardMoveForm(initial=initial, auto_id="move-%s")


def _render_card(
    request: HttpRequest, card: TaskCard, form: CardForm, status: int = 200, **extra: object
) -> HttpResponse:
    context = {"card": card, "form": form, "move_form": _move_form(card), "project": card.project}
    context |= {"can_plan": can_plan(user=request.user, project=card.project)} | extra
    return render_page(request, "projects/card.html", context, "panel", status)


def _conflict(request: HttpRequest, stale: services.StaleCard, attempted: dict) -> HttpResponse:
    """409: someone saved the card first. The panel shows the card as it is now and what this
    person tried, so nothing is overwritten and nothing typed is lost."""
    current = stale.current
    response = _render_card(
        request, current, _card_form(current), status=409, conflict=True, attempted=attempted
    )
    return _in_panel(response) if wants_partial(request) else response


def _attempted(form: CardForm | CardDueForm | CardMoveForm) -> list[tuple[str, object]]:
    data = form.cleaned_data if form.is_valid() else {}
    return [
        (form.fields[name].label, value)
        for name, value in data.items()
        if name not in {"version", "after"} and value not in (None, "")
    ]


@require_http_methods(["GET", "POST"])
@internal_only
def card_detail(request: HttpRequest, card_id: int) -> HttpResponse:
    card = card_for_user(request, card_id)
    if request.method == "GET":
        return _render_card(request, card, _card_form(card))
    form = _card_form(card, request.POST)
    if not form.is_valid():
        return _render_card(request, card, form, status=422)
    version, changes = form.cleaned_data["version"], form.changes()
    try:
        card = services.card_update(actor=request.user, card=card, version=version, changes=changes)
    except services.StaleCard as stale:
        return _conflict(request, stale, _attempted(form))
    if not wants_partial(request):
        messages.success(request, _("Card saved."))
        return redirect("projects:board", card.project_id)
    return _board_changed(_render_card(request, card, _card_form(card), saved=True))


def _card_item(request: HttpRequest, card: TaskCard) -> HttpResponse:
    row = board_card(card_id=card.pk, today=local_today(card.project.client.time_zone))
    return render(request, "projects/_cards.html#card", {"c": row})


@require_http_methods(["GET", "POST"])
@internal_only
def card_due(request: HttpRequest, card_id: int) -> HttpResponse:
    """The due date, edited in place on the board."""
    card = card_for_user(request, card_id)
    initial = {"version": card.version, "due_date": card.due_date}
    # Many of these forms can be open on one board: no element ids to collide.
    form = CardDueForm(request.POST or None, initial=initial, auto_id=False)
    if request.method == "POST" and form.is_valid():
        changes = {"due_date": form.cleaned_data["due_date"]}
        version = form.cleaned_data["version"]
        try:
            card = services.card_update(
                actor=request.user, card=card, version=version, changes=changes
            )
        except services.StaleCard as stale:
            return _conflict(request, stale, _attempted(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            if wants_partial(request):
                return _card_item(request, card)
            return redirect("projects:board", card.project_id)
    context = {"form": form, "card": card, "project": card.project}
    return render_page(request, "projects/card_due.html", context, "due", form_status(form))


@require_http_methods(["GET", "POST"])
@internal_only
def card_move(request: HttpRequest, card_id: int) -> HttpResponse:
    card = card_for_user(request, card_id)
    initial = {"version": card.version, "status": card.status}
    form = CardMoveForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        position = data["position"]
        try:
            services.card_move(
                actor=request.user,
                card=card,
                version=data["version"],
                status=data["status"],
                index=None if position is None else position - 1,
                after_id=data["after"],
                blocked_reason=data["blocked_reason"],
            )
        except services.StaleCard as stale:
            return _conflict(request, stale, _attempted(form))
        except ValidationError as error:
            add_errors(form, error)
        else:
            if wants_partial(request) and request.htmx.target == "panel":
                card.refresh_from_db()  # moved from the panel: it shows the card as it is now
                return _board_changed(_render_card(request, card, _card_form(card), moved=True))
            if wants_partial(request):
                return _board_changed(HttpResponse(status=204))
            return redirect("projects:board", card.project_id)
    back = reverse("projects:board", args=[card.project_id])
    title = _("Move “%(title)s”") % {"title": card.title}
    response = render_form(request, form, title=title, back=back, status=form_status(form))
    return _in_panel(response) if wants_partial(request) and form.is_bound else response


def _unarchive_offer(card: TaskCard, index: int | None) -> Undo | None:
    """The archived card's undo while there is time; `index` is the place it had."""
    until = card.archived_at + datetime.timedelta(seconds=settings.UNDO_SECONDS)
    if until <= timezone.now():
        return None
    return Undo(
        text=_("“%(title)s” archived.") % {"title": card.title},
        action=reverse("projects:card_unarchive", args=[card.pk]),
        until=until,
        fields={} if index is None else {"index": index},
        hx_target="#panel",
        hx_swap="innerHTML",
    )


def _render_archived(
    request: HttpRequest, card: TaskCard, undo: Undo | None, error: str = "", status: int = 200
) -> HttpResponse:
    """The archived card: in the panel, or a page of its own without JavaScript."""
    context = {"card": card, "project": card.project, "undo": undo, "error": error}
    return render_page(request, "projects/card_archived.html", context, "archived", status)


@require_http_methods(["GET", "POST"])
@internal_only
def card_archive(request: HttpRequest, card_id: int) -> HttpResponse:
    """GET asks to confirm; POST takes the card off the board, with an undo for a few seconds."""
    card = card_for_user(request, card_id)
    require_planner(request, card.project)
    if request.method == "POST":
        index = card.position
        card = services.card_archive(actor=request.user, card=card)
        if not wants_partial(request):
            page = reverse("projects:card_unarchive", args=[card.pk])
            return redirect(page if index is None else f"{page}?index={index}")
        return _board_changed(_render_archived(request, card, _unarchive_offer(card, index)))
    lines = [
        _("It leaves the board, the portal and the reports; the activity keeps what happened."),
        _("You can undo this for a few seconds."),
    ]
    return render_form(
        request,
        forms.Form(),
        title=_("Archive “%(title)s”?") % {"title": card.title},
        back=reverse("projects:card", args=[card.pk]),
        lines=lines,
        submit_label=_("Archive card"),
        hx_target="#panel",
        hx_swap="innerHTML",
    )


def _index(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_http_methods(["GET", "POST"])
@internal_only
def card_unarchive(request: HttpRequest, card_id: int) -> HttpResponse:
    """The archived card with its undo; POST brings it back to the board."""
    card = archived_card_for_user(request, card_id)
    require_planner(request, card.project)
    index = _index(request.POST.get("index") or request.GET.get("index"))
    if request.method == "GET":
        return _render_archived(request, card, _unarchive_offer(card, index))
    try:
        card = services.card_unarchive(actor=request.user, card=card, index=index)
    except ValidationError as refusal:
        return _render_archived(request, card, None, " ".join(refusal.messages), 422)
    if not wants_partial(request):
        messages.success(request, _("“%(title)s” is back on the board.") % {"title": card.title})
        return redirect("projects:board", card.project_id)
    return _board_changed(_render_card(request, card, _card_form(card), unarchived=True))
