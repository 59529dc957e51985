from django.contrib import messages
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
from clientprogress.pages import wants_partial
from milestones.models import Milestone
from milestones.signoff import Decision, SignOffRefused, client_ip, signoff_record
from projects.models import Project, TaskCard
from projects.selectors import local_today, visible_projects

from .forms import FeedbackForm, SignOffForm
from .selectors import (
    portal_feedback,
    portal_home_rows,
    portal_project_page,
    portal_waiting,
    signoff_page,
)
from .services import card_mark_done_by_client, feedback_create


@require_GET
@client_only
def portal_home(request: HttpRequest) -> HttpResponse:
    rows = portal_home_rows(visible_projects(request.user))
    return render(request, "portal/home.html", {"projects": rows})


def _project_page(
    request: HttpRequest,
    project: Project,
    feedback_form: FeedbackForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = portal_project_page(project=project)
    context = {
        "project": project,
        "page": page,
        # The names the shared timeline, phase and activity includes read.
        "timeline": page.timeline,
        "phases": page.phases,
        "activities": page.activities,
        "feedback_form": feedback_form or FeedbackForm(project=project),
    }
    return render(request, "portal/project.html", context, status=status)


@require_GET
@client_only
def portal_project(request: HttpRequest, project_id: int) -> HttpResponse:
    return _project_page(request, portal_project_for_user(request, project_id))


def _back_to(project_id: int, section: str) -> HttpResponse:
    return redirect(reverse("portal:project", args=[project_id]) + f"#{section}")


# GET answers like POST to an outsider (404) and sends anyone else to the form on the page.
@require_http_methods(["GET", "POST"])
@client_only
def portal_card_done(request: HttpRequest, card_id: int) -> HttpResponse:
    card = portal_card_for_user(request, card_id)
    if card.responsible != TaskCard.Responsible.CLIENT:
        raise Http404
    if request.method == "GET":
        return _back_to(card.project_id, "waiting")
    names = {"title": card.title}
    if card_mark_done_by_client(card=card, actor=request.user):
        notice = _("Thank you: “%(title)s” is done and the team has been told.") % names
    else:
        notice = _("“%(title)s” was marked done already.") % names
    if wants_partial(request):
        waiting = portal_waiting(
            project=card.project, today=local_today(card.project.client.time_zone)
        )
        context = {"project": card.project, "page": {"waiting": waiting}, "notice": notice}
        return render(request, "portal/project.html#waiting", context)
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
        notice = ""  # 200: the portal's htmx swaps only successful answers
    context = {
        "project": project,
        "page": {"feedback": portal_feedback(project=project)},
        "feedback_form": form,
        "notice": notice,
    }
    return render(request, "portal/project.html#feedback", context)


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
