"""Invitations: the PM brings a client contact into the portal; the contact accepts."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from clientprogress.access import internal_only, project_for_user, require_planner
from clientprogress.pages import form_status
from projects.models import User

from .forms import InvitationForm
from .services import contact_invite, invitation_tokens


@require_http_methods(["GET", "POST"])
@internal_only
def invitation_send(request: HttpRequest, project_id: int) -> HttpResponse:
    project = project_for_user(request, project_id)
    require_planner(request, project)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = contact_invite(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": user.email})
            return redirect("projects:detail", project_id=project.pk)
    context = {"project": project, "form": form}
    return render(request, "portal/invite.html", context, status=form_status(form))


def _invited_user(uidb64: str, token: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, role=User.Role.CLIENT, is_active=True).first()
    return user if user and invitation_tokens.check_token(user, token) else None


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The one-time link from the invitation mail: choose a password, then the portal."""
    user = _invited_user(uidb64, token)
    form = SetPasswordForm(user, request.POST or None) if user else None
    if form is not None and request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("portal:home")
    return render(request, "portal/invitation_accept.html", {"form": form, "invitee": user})
