"""Pages shared by every kind of user: home redirect, preferences, health."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language as django_set_language

from truedesk.accounts.actions import set_user_preferences
from truedesk.accounts.models import User


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send each user to their own workspace: staff to the desk, customers to the portal,
    partner users to the partner area."""
    user = request.user
    assert isinstance(user, User)
    if user.kind == User.Kind.CUSTOMER:
        return redirect("portal:home")
    if user.kind == User.Kind.PARTNER:
        return redirect("partners:home")
    return redirect("desk:home")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, which for a signed-in user also saves the choice.

    Without saving it, the user's stored language would win again on the next
    request and the footer picker would appear to do nothing.
    """
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if isinstance(user, User) and language in dict(settings.LANGUAGES):
        set_user_preferences(
            acting_user=user, user=user, language=language, time_zone=user.time_zone
        )
    return response
