"""Pages shared by every kind of user: home redirect, preferences, health."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their own workspace: staff to the desk, customers to the portal."""
    user = request.user
    if user.kind == "customer":
        return redirect("portal:home")
    if user.kind == "partner":
        return redirect("partner_home")
    return redirect("desk:home")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
