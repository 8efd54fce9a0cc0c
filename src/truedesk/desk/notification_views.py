"""The staff member's notification list on the desk."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from truedesk.desk.access import acting_user, staff_required
from truedesk.notifications.actions import mark_notifications_read
from truedesk.notifications.selectors import list_notifications


@staff_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Newest notifications first; unread ones stand out until marked read."""
    items = list_notifications(acting_user(request))
    return render(request, "desk/notifications.html", {"nav": "notifications", "items": items})


@staff_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    mark_notifications_read(acting_user=acting_user(request))
    return redirect("desk:notifications")
