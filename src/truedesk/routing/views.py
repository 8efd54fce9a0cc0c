"""Desk pages for routing: the supervisors' routing page and every agent's presence control."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from truedesk.desk.access import acting_user, staff_required
from truedesk.routing import actions, selectors
from truedesk.routing.errors import InvalidRoutingInput
from truedesk.routing.models import Presence
from truedesk.routing.reasons import describe_hold

HOLD_QUEUE_SHOWN = 200


@require_GET
@staff_required
def routing_page(request: HttpRequest) -> HttpResponse:
    """Hold queue with reasons, agents with presence, shift, load and skills, expiring training."""
    user = acting_user(request)
    if not user.is_supervisor:
        raise PermissionDenied
    now = timezone.now()
    items = list(selectors.list_hold_queue()[:HOLD_QUEUE_SHOWN])
    held = [(item, describe_hold(item.reason, item.reason_data)) for item in items]
    context = {
        "nav": "routing",
        "held": held,
        "held_total": selectors.list_hold_queue().count(),
        "agents": selectors.list_agent_board(at=now),
        "expiring": list(selectors.list_expiring_records(at=now)),
        "presence_choices": Presence.choices,
    }
    return render(request, "routing/routing.html", context)


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return redirect("desk:home")


@require_POST
@staff_required
def set_presence(request: HttpRequest) -> HttpResponse:
    """The agent sets their own presence from the desk header."""
    user = acting_user(request)
    try:
        presence = actions.set_presence(
            acting_user=user, agent=user, status=request.POST.get("status", "")
        )
    except InvalidRoutingInput as err:
        messages.error(request, err.message)
        return _back(request)
    messages.success(
        request,
        _("You are now %(presence)s.") % {"presence": presence.get_status_display().lower()},
    )
    return _back(request)
