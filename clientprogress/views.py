from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app


def home(request: HttpRequest) -> HttpResponse:
    """Internal users land in the workspace, client contacts in their portal."""
    return redirect("portal:home" if request.user.is_client else "projects:list")


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    status = "ok" if all(checks.values()) else "unavailable"
    body = {"status": status} | {name: "ok" if ok else "down" for name, ok in checks.items()}
    return JsonResponse(body, status=200 if status == "ok" else 503)
