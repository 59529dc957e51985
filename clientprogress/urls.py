from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from . import forms, profile, views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=forms.EmailAuthenticationForm),
        name="login",
    ),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=forms.QueuedPasswordResetForm),
        name="password_reset",
    ),
    path("accounts/profile/", profile.profile, name="profile"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("projects/", include("projects.workspace.urls")),
    path("", include("milestones.urls")),
    path("", include("projects.portal.invitation_urls")),
    path("portal/", include("projects.portal.urls")),
    path("notifications/", include("notifications.urls")),
    path("reports/", include("reports.urls")),
    # The language switch of the login and password pages, used before anyone logs in.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
