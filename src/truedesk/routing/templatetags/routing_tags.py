"""The presence control in the desk header, and routing events in words."""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.accounts.models import User
from truedesk.routing import selectors
from truedesk.routing.models import Presence

register = template.Library()


@register.inclusion_tag("routing/presence_control.html", takes_context=True)
def presence_control(context: dict[str, Any]) -> dict[str, Any]:
    """A small form: the agent's presence now and a button to change it (one query)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_staff_member:
        return {"show": False}
    return {
        "show": True,
        "current": selectors.get_presence(user),
        "choices": Presence.choices,
        "next": request.get_full_path() if request is not None else "",
        "csrf_token": context.get("csrf_token"),
    }
