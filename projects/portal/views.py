import datetime

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from clientprogress.access import (
    client_only,
    portal_card_for_user,
    portal_milestone_for_user,
    portal_project_for_user,
    portal_version_for_user,
)
from clientprogress.files import stored_download, version_download
from clientprogress.pages import Undo, render_regions, wants_partial
from milestones.models import Milestone
from milestones.signoff import Decision, SignOffRefused, client_ip, signoff_record
from projects.models import Project, TaskCard, User
from projects.selectors import visible_projects

from .forms import FeedbackForm, SignOffForm
from .selectors import (
    portal_home_rows,
    portal_project_page,
    signoff_page,
)
from .services import (
    ClientDone,
    card_mark_done_by_client,
    card_undo_done_by_client,
    feedback_create,
)

PROJECT_PAGE = "portal/project.html"
# What marking an item done (or taking it back) changes on the project page, besides the list
# of what is waiting: the work items' statuses, the phases' progress, the activity.
DONE_REGIONS = ["waiting", "items", "timeline", "activity"]
UNDO_SALT = "portal.card-done-undo"
UNDO_SESSION_KEY = "portal_undo"


@require_GET
@client_only
def portal_home(request: HttpRequest) -> HttpResponse:
    rows = portal_home_rows(visible_projects(request.user))
    return render(request, "portal/home.html", {"projects": rows})


def _page_context(project: Project, **extra: object) -> dict:
    page = portal_project_page(project=project)
    return {
        "project": project,
        "page": page,
        # The names the shared timeline, phase and activity includes read.
        "timeline": page.timeline,
        "phases": page.phases,
        "activities": page.activities,
    } | extra


def _undo_token(done: ClientDone, user: User) -> str:
    data = {"card": done.card_id, "status": done.status, "position": done.position}
    return signing.dumps(data | {"version": done.version, "by": user.pk}, salt=UNDO_SALT)


def _undo_in(token: str, *, user: User) -> ClientDone | None:
    """The undo a token offers: signed by us for this contact, and not too old."""
    try:
        data = signing.loads(token, salt=UNDO_SALT, max_age=settings.PORTAL_UNDO_SECONDS)
    except signing.BadSignature:  # expired ones too
        return None
    if data.get("by") != user.pk:
        return None
    return ClientDone(data["card"], data["status"], data["position"], data["version"])


def _undo_offer(card: TaskCard, token: str) -> Undo:
    return Undo(
        text=_("Thank you: “%(title)s” is done and the team has been told.")
        % {"title": card.title},
        action=reverse("portal:card_undo_done", args=[card.pk]),
        until=card.completed_at + datetime.timedelta(seconds=settings.PORTAL_UNDO_SECONDS),
        fields={"undo": token},
        hx_target="#waiting",
    )


def _offered_undo(request: HttpRequest, project: Project) -> Undo | None:
    """After marking an item done without JavaScript, the page offers its undo (the token
    waits in the session) while the item is as the contact left it."""
    token = request.session.get(UNDO_SESSION_KEY, "")
    done = _undo_in(token, user=request.user) if token else None
    if done is None:
        return None
    card = TaskCard.objects.filter(
        pk=done.card_id, project=project, client_visible=True, status=TaskCard.Status.DONE
    ).first()
    if card is None or card.version != done.version:
        return None
    return _undo_offer(card, token)


def _project_page(
    request: HttpRequest,
    project: Project,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _page_context(
        project,
        feedback_form=feedback_form or FeedbackForm(project=project),
        undo=_offered_undo(request, project),
    )
    return render(request, PROJECT_PAGE, context, status=status)


@require_GET
@client_only
def portal_project(request: HttpRequest, project_id: int) -> HttpResponse:
    return _project_page(request, portal_project_for_user(request, project_id))


def _back_to(project_id: int, section: str) -> HttpResponse:
    return redirect(reverse("portal:project", args=[project_id]) + f"#{section}")


def _owed_card(request: HttpRequest, card_id: int) -> TaskCard:
    card = portal_card_for_user(request, card_id)
    if card.responsible != TaskCard.Responsible.CLIENT:
        raise Http404
    return card


# GET answers like POST to an outsider (404) and sends anyone else to the form on the page.
@require_http_methods(["GET", "POST"])
@client_only
def portal_card_done(request: HttpRequest, card_id: int) -> HttpResponse:
    card = _owed_card(request, card_id)
    if request.method == "GET":
        return _back_to(card.project_id, "waiting")
    done = card_mark_done_by_client(card=card, actor=request.user)
    token = _undo_token(done, request.user) if done else ""
    already = _("“%(title)s” was marked done already.") % {"title": card.title}
    if wants_partial(request):
        context = _page_context(
            card.project,
            undo=_undo_offer(card, token) if done else None,
            waiting_notice="" if done else already,
        )
        return render_regions(request, PROJECT_PAGE, context, DONE_REGIONS)
    if done:
        request.session[UNDO_SESSION_KEY] = token
    else:
        messages.success(request, already)
    return _back_to(card.project_id, "waiting")


@require_http_methods(["GET", "POST"])
@client_only
def portal_card_undo_done(request: HttpRequest, card_id: int) -> HttpResponse:
    """Takes back the contact's own "mark done", for a few minutes after it."""
    card = _owed_card(request, card_id)
    if request.method == "GET":
        return _back_to(card.project_id, "waiting")
    names = {"title": card.title}
    done = _undo_in(request.POST.get("undo", ""), user=request.user)
    notice = alert = ""
    try:
        if done is None or done.card_id != card.pk:
            raise ValidationError(_("It is too late to undo this: “%(title)s” stays done.") % names)
        card_undo_done_by_client(card=card, actor=request.user, done=done)
    except ValidationError as refusal:
        alert = " ".join(refusal.messages)
    else:
        notice = _("“%(title)s” is waiting on you again; the team has been told.") % names
    if wants_partial(request):
        context = _page_context(card.project, waiting_notice=notice, waiting_alert=alert)
        return render_regions(request, PROJECT_PAGE, context, DONE_REGIONS)
    if alert:
        messages.error(request, alert)
    else:
        messages.success(request, notice)
    return _back_to(card.project_id, "waiting")


@require_http_methods(["GET", "POST"])
@client_only
def portal_feedback_send(request: HttpRequest, project_id: int) -> HttpResponse:
    project = portal_project_for_user(request, project_id)
    if request.method == "GET":
        return _back_to(project.pk, "feedback")
    form = FeedbackForm(request.POST, request.FILES, project=project)
    if form.is_valid():
        feedback_create(
            project=project,
            actor=request.user,
            text=form.cleaned_data["text"],
            milestone=form.cleaned_data["milestone"],
            attachment=form.cleaned_data["attachment"],
        )
        notice = _("Thank you: your feedback is with the team.")
        if not wants_partial(request):
            messages.success(request, notice)
            return _back_to(project.pk, "feedback")
        form = FeedbackForm(project=project)
    elif not wants_partial(request):
        return _project_page(request, project, feedback_form=form, status=422)
    else:
        notice = ""
    context = _page_context(project, feedback_form=form, feedback_notice=notice)
    # New feedback shows in the project's activity too.
    regions = ["feedback", "activity"] if notice else ["feedback"]
    return render_regions(request, PROJECT_PAGE, context, regions)


@require_GET
@client_only
def portal_feedback_attachment(request: HttpRequest, card_id: int) -> HttpResponse:
    card = portal_card_for_user(request, card_id)
    if not card.attachment:
        raise Http404
    return stored_download(card.attachment, filename=card.attachment_name)


@require_GET
@client_only
def portal_version_download(request: HttpRequest, version_id: int) -> HttpResponse:
    return version_download(portal_version_for_user(request, version_id))


@require_http_methods(["GET", "POST"])
@client_only
def portal_signoff(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = portal_milestone_for_user(request, milestone_id)
    page = signoff_page(milestone=milestone, organisation=request.user.contact.client.name)
    initial = {
        "revision": milestone.revision,
        "milestone_sha256": page.milestone_sha256,
        "manifest_sha256": page.manifest_sha256,
        "consent_sha256": page.consent_sha256,
    }
    form = SignOffForm(request.POST or None, initial=initial, signer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            signoff = signoff_record(
                milestone=milestone,
                signer=request.user,
                decision=Decision(**form.cleaned_data),
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except SignOffRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("portal:signoff", milestone_id=milestone.pk)
        messages.success(
            request,
            _("Your decision is recorded: %(decision)s.")
            % {"decision": signoff.get_decision_display()},
        )
        return redirect(reverse("portal:project", args=[milestone.phase.project_id]))
    context = {
        "milestone": milestone,
        "project": milestone.phase.project,
        "page": page,
        "form": form,
        "open": milestone.status == Milestone.Status.AWAITING_SIGNOFF,
    }
    return render(request, "portal/signoff.html", context)
