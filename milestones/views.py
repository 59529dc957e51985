import datetime
from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from clientprogress import files
from clientprogress.access import (
    can_plan,
    criterion_for_user,
    deleted_criterion_for_user,
    deleted_deliverable_for_user,
    deliverable_for_user,
    internal_only,
    milestone_for_user,
    phase_for_user,
    project_for_user,
    require_planner,
    signoff_for_user,
    version_for_user,
)
from clientprogress.pages import (
    Undo,
    add_errors,
    form_status,
    render_form,
    render_page,
    wants_partial,
)
from projects.models import Project

from . import services
from .forms import (
    CriterionForm,
    CriterionMetForm,
    DeliverableForm,
    MilestoneForm,
    PhaseForm,
    VersionUploadForm,
)
from .models import AcceptanceCriterion, Deliverable, Milestone
from .selectors import milestone_page, project_signoffs
from .signoff import certificate_filename

MILESTONE_PAGE = "milestones/milestone_detail.html"
# What the project page listens for to fetch its plan again.
PLAN_CHANGED = "plan-changed"


def _posted(request: HttpRequest) -> dict | None:
    """POST data even when empty: a form of buttons only still says the person sent it."""
    return request.POST if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@internal_only
def phase_edit(request: HttpRequest, phase_id: int) -> HttpResponse:
    phase = phase_for_user(request, phase_id)
    require_planner(request, phase.project)
    form = PhaseForm(request.POST or None, instance=phase)
    if request.method == "POST" and form.is_valid():
        services.phase_update(actor=request.user, phase=phase, **form.cleaned_data)
        if not wants_partial(request):
            return redirect("projects:detail", phase.project_id)
        return trigger_client_event(HttpResponse(status=204), PLAN_CHANGED)
    title = _("Dates of %(phase)s") % {"phase": phase.get_kind_display()}
    back = reverse("projects:detail", args=[phase.project_id])
    return render_form(request, form, title=title, back=back, status=form_status(form))


@require_http_methods(["GET", "POST"])
@internal_only
def milestone_create(request: HttpRequest, phase_id: int) -> HttpResponse:
    phase = phase_for_user(request, phase_id)
    require_planner(request, phase.project)
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        milestone = services.milestone_create(actor=request.user, phase=phase, **form.cleaned_data)
        messages.success(request, _("Milestone added."))
        return redirect("milestones:milestone", milestone.pk)
    title = _("New milestone in %(phase)s") % {"phase": phase.get_kind_display()}
    back = reverse("projects:detail", args=[phase.project_id])
    return render_form(request, form, title=title, back=back, status=form_status(form))


def _loaded(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_related("phase__project__client").get(pk=milestone.pk)


def _project_of(milestone: Milestone) -> Project:
    return milestone.phase.project


def _work(
    request: HttpRequest,
    milestone: Milestone,
    status: int = 200,
    *,
    notice: str = "",
    alert: str = "",
    undo: Undo | None = None,
    **bound: forms.Form,
) -> HttpResponse:
    """The milestone page as it is now; `bound` puts a refused form back in its place, and a
    line on top says what just happened (`notice`, `undo`) or why it did not (`alert`)."""
    milestone = _loaded(milestone)
    context = milestone_page(milestone=milestone)
    context |= {"notice": notice, "alert": alert, "undo": undo}
    for deliverable in context["deliverables"]:
        deliverable.upload_form = bound.get(f"upload_{deliverable.pk}") or VersionUploadForm()
    context |= {
        "project": _project_of(milestone),
        "can_plan": can_plan(user=request.user, project=_project_of(milestone)),
        "criterion_form": bound.get("criterion_form") or CriterionForm(),
        "deliverable_form": bound.get("deliverable_form") or DeliverableForm(),
        "submit_form": bound.get("submit_form"),
        "max_upload": settings.DELIVERABLE_MAX_UPLOAD_BYTES,
    }
    return render_page(request, MILESTONE_PAGE, context, "work", status)


@require_GET
@internal_only
def milestone_detail(request: HttpRequest, milestone_id: int) -> HttpResponse:
    return _work(request, milestone_for_user(request, milestone_id))


def _milestone_action(
    request: HttpRequest,
    milestone: Milestone,
    form: forms.Form,
    save: Callable[[dict], object],
    *,
    title: str,
    slot: str,
    **extra: object,
) -> HttpResponse:
    """The common course of a change on the milestone page: save, or show why not. htmx gets
    the milestone's work area back; plain requests a redirect or the form on its own page."""
    require_planner(request, _project_of(milestone))
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if wants_partial(request):
                return _work(request, milestone)
            return redirect("milestones:milestone", milestone.pk)
    if wants_partial(request) and form.is_bound:
        return _work(request, milestone, 422, **{slot: form})
    back = reverse("milestones:milestone", args=[milestone.pk])
    return render_form(
        request, form, title=title, back=back, status=form_status(form), multipart=True, **extra
    )


@require_http_methods(["GET", "POST"])
@internal_only
def milestone_edit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _loaded(milestone_for_user(request, milestone_id))
    form = MilestoneForm(request.POST or None, instance=milestone)

    def save(data: dict) -> None:
        services.milestone_update(actor=request.user, milestone=milestone, changes=data)

    title = _("Edit “%(title)s”") % {"title": milestone.title}
    extra = {}
    if milestone.under_signature:
        extra = {
            "warning": _(
                "This milestone is %(status)s. Saving a new title, description or due date "
                "reopens it: it goes back to in progress and needs a new submission and a new "
                "sign-off. The sign-offs already recorded keep what they covered."
            )
            % {"status": milestone.get_status_display().lower()},
        }
    return _milestone_action(request, milestone, form, save, title=title, slot="edit_form", **extra)


@require_http_methods(["GET", "POST"])
@internal_only
def criterion_create(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _loaded(milestone_for_user(request, milestone_id))
    form = CriterionForm(request.POST or None)

    def save(data: dict) -> None:
        services.criterion_create(actor=request.user, milestone=milestone, text=data["text"])

    title = _("New acceptance criterion")
    return _milestone_action(request, milestone, form, save, title=title, slot="criterion_form")


@require_http_methods(["GET", "POST"])
@internal_only
def criterion_met(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = criterion_for_user(request, criterion_id)
    milestone = _loaded(criterion.milestone)
    form = CriterionMetForm(_posted(request), initial={"met": criterion.is_met})

    def save(data: dict) -> None:
        services.criterion_set_met(actor=request.user, criterion=criterion, met=data["met"])

    title = criterion.text
    return _milestone_action(request, milestone, form, save, title=title, slot="criterion_form")


@require_http_methods(["GET", "POST"])
@internal_only
def deliverable_create(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _loaded(milestone_for_user(request, milestone_id))
    form = DeliverableForm(request.POST or None, request.FILES or None)

    def save(data: dict) -> None:
        services.deliverable_create(
            actor=request.user,
            milestone=milestone,
            title=data["title"],
            description=data["description"],
            upload=data["file"],
        )

    title = _("New deliverable")
    return _milestone_action(request, milestone, form, save, title=title, slot="deliverable_form")


@require_http_methods(["GET", "POST"])
@internal_only
def version_upload(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    deliverable = deliverable_for_user(request, deliverable_id)
    milestone = _loaded(deliverable.milestone)
    form = VersionUploadForm(request.POST or None, request.FILES or None)

    def save(data: dict) -> None:
        services.version_upload(actor=request.user, deliverable=deliverable, upload=data["file"])

    title = _("New version of “%(title)s”") % {"title": deliverable.title}
    slot = f"upload_{deliverable.pk}"
    return _milestone_action(request, milestone, form, save, title=title, slot=slot)


@require_GET
@internal_only
def version_download(request: HttpRequest, version_id: int) -> FileResponse:
    return files.version_download(version_for_user(request, version_id))


@require_http_methods(["GET", "POST"])
@internal_only
def milestone_submit(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _loaded(milestone_for_user(request, milestone_id))
    form = forms.Form(_posted(request))

    def save(data: dict) -> None:
        services.milestone_submit(actor=request.user, milestone=milestone)

    title = _("Submit “%(title)s” for sign-off") % {"title": milestone.title}
    return _milestone_action(request, milestone, form, save, title=title, slot="submit_form")


@require_http_methods(["GET", "POST"])
@internal_only
def milestone_complete(request: HttpRequest, milestone_id: int) -> HttpResponse:
    milestone = _loaded(milestone_for_user(request, milestone_id))
    form = forms.Form(_posted(request))

    def save(data: dict) -> None:
        services.milestone_complete(actor=request.user, milestone=milestone)

    title = _("Complete “%(title)s”") % {"title": milestone.title}
    return _milestone_action(request, milestone, form, save, title=title, slot="submit_form")


@require_GET
@internal_only
def signoff_ledger(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    context = {"project": project, "signoffs": project_signoffs(project=project)}
    return render(request, "milestones/signoff_ledger.html", context)


@require_GET
def signoff_certificate(request: HttpRequest, signoff_id: int) -> HttpResponse:
    """The certificate as it was stored when the decision was recorded; nothing is rendered
    here. In the moment before a worker has stored it, the page says to try again."""
    signoff = signoff_for_user(request, signoff_id)
    if not signoff.certificate:
        response = render(request, "milestones/certificate_pending.html", {"signoff": signoff})
        response.status_code = 503
        response["Retry-After"] = "10"
        return response
    filename = certificate_filename(signoff)
    return files.download_response(
        signoff.certificate, filename=filename, content_type="application/pdf"
    )


def _deleted_offer(item: AcceptanceCriterion | Deliverable, text: str, action: str) -> Undo | None:
    """The undo of a deletion while there is time."""
    until = item.deleted_at + datetime.timedelta(seconds=settings.UNDO_SECONDS)
    if until <= timezone.now():
        return None
    return Undo(text=text, action=action, until=until, hx_target="#work")


def _delete(
    request: HttpRequest,
    milestone: Milestone,
    delete: Callable[[], AcceptanceCriterion | Deliverable],
    *,
    question: str,
    deleted: str,
    restore: str,
) -> HttpResponse:
    """GET asks to confirm (a page of its own without JavaScript); POST deletes, then offers
    the undo: on the milestone page for htmx, on the undo's own page otherwise."""
    require_planner(request, _project_of(milestone))
    form = forms.Form(_posted(request))
    if request.method == "POST":
        try:
            item = delete()
        except ValidationError as error:
            if wants_partial(request):
                return _work(request, milestone, 422, alert=" ".join(error.messages))
            add_errors(form, error)
        else:
            if not wants_partial(request):
                return redirect(restore)
            return _work(request, milestone, undo=_deleted_offer(item, deleted, restore))
    return render_form(
        request,
        form,
        title=question,
        back=reverse("milestones:milestone", args=[milestone.pk]),
        status=form_status(form),
        lines=[_("You can undo this for a few seconds.")],
        submit_label=_("Delete"),
        hx_target="#work",
    )


def _restore(
    request: HttpRequest,
    milestone: Milestone,
    item: AcceptanceCriterion | Deliverable,
    restore: Callable[[], object],
    *,
    deleted: str,
    restored: str,
) -> HttpResponse:
    """GET shows what was deleted, with its undo while there is time; POST brings it back."""
    require_planner(request, _project_of(milestone))
    error = ""
    if request.method == "POST":
        try:
            restore()
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
            if wants_partial(request):
                return _work(request, milestone, 422, alert=error)
        else:
            if wants_partial(request):
                return _work(request, milestone, notice=restored)
            messages.success(request, restored)
            return redirect("milestones:milestone", milestone.pk)
    context = {
        "title": deleted,
        "undo": None if error else _deleted_offer(item, deleted, request.path),
        "error": error,
        "back": reverse("milestones:milestone", args=[milestone.pk]),
        "project": _project_of(milestone),
    }
    return render(request, "undo_page.html", context, status=422 if error else 200)


@require_http_methods(["GET", "POST"])
@internal_only
def criterion_delete(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = criterion_for_user(request, criterion_id)
    names = {"text": criterion.text}

    def delete() -> AcceptanceCriterion:
        return services.criterion_delete(actor=request.user, criterion=criterion)

    return _delete(
        request,
        _loaded(criterion.milestone),
        delete,
        question=_("Delete the acceptance criterion “%(text)s”?") % names,
        deleted=_("Acceptance criterion “%(text)s” deleted.") % names,
        restore=reverse("milestones:criterion_restore", args=[criterion.pk]),
    )


@require_http_methods(["GET", "POST"])
@internal_only
def criterion_restore(request: HttpRequest, criterion_id: int) -> HttpResponse:
    criterion = deleted_criterion_for_user(request, criterion_id)
    names = {"text": criterion.text}

    def restore() -> AcceptanceCriterion:
        return services.criterion_restore(actor=request.user, criterion=criterion)

    return _restore(
        request,
        _loaded(criterion.milestone),
        criterion,
        restore,
        deleted=_("Acceptance criterion “%(text)s” deleted.") % names,
        restored=_("Acceptance criterion “%(text)s” is back.") % names,
    )


@require_http_methods(["GET", "POST"])
@internal_only
def deliverable_delete(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    deliverable = deliverable_for_user(request, deliverable_id)
    names = {"title": deliverable.title}

    def delete() -> Deliverable:
        return services.deliverable_delete(actor=request.user, deliverable=deliverable)

    return _delete(
        request,
        _loaded(deliverable.milestone),
        delete,
        question=_("Delete the deliverable “%(title)s”?") % names,
        deleted=_("Deliverable “%(title)s” deleted.") % names,
        restore=reverse("milestones:deliverable_restore", args=[deliverable.pk]),
    )


@require_http_methods(["GET", "POST"])
@internal_only
def deliverable_restore(request: HttpRequest, deliverable_id: int) -> HttpResponse:
    deliverable = deleted_deliverable_for_user(request, deliverable_id)
    names = {"title": deliverable.title}

    def restore() -> Deliverable:
        return services.deliverable_restore(actor=request.user, deliverable=deliverable)

    return _restore(
        request,
        _loaded(deliverable.milestone),
        deliverable,
        restore,
        deleted=_("Deliverable “%(title)s” deleted.") % names,
        restored=_("Deliverable “%(title)s” is back.") % names,
    )
