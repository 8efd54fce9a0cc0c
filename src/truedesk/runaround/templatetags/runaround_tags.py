"""Template tags of the runaround guard: the case page's gauges and banner, the portal's contact.

The case page's two tags share one query for the guard state; an open rescue
costs one more, and a supervisor's rescue form one more for its list.
"""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.cases import permissions
from truedesk.cases.models import Case
from truedesk.runaround import selectors
from truedesk.runaround.forms import RescueForm
from truedesk.runaround.guard import describe_breaches

register = template.Library()


def _state(context: template.Context, case: Case) -> selectors.GuardState | None:
    """The case's guard state, read once per request however many tags ask."""
    request = context.get("request")
    if request is None:
        return selectors.find_guard_state(case.pk)
    states: dict[int, selectors.GuardState | None] = request.__dict__.setdefault(
        "_runaround_states", {}
    )
    if case.pk not in states:
        states[case.pk] = selectors.find_guard_state(case.pk)
    return states[case.pk]


@register.inclusion_tag("runaround/gauges.html", takes_context=True)
def runaround_gauges(context: template.Context, case: Case) -> dict[str, Any]:
    """The five counters against their thresholds; a supervisor also gets the rescue form."""
    request = context.get("request")
    user = getattr(request, "user", None)
    state = _state(context, case)
    can_rescue = (
        state is not None
        and state.open_rescue_id is None
        and case.is_active
        and permissions.is_supervisor(user)
    )
    return {
        "case": case,
        "state": state,
        "readings": state.readings() if state else [],
        "form": RescueForm(prefix="rescue", candidates=selectors.list_senior_candidates())
        if can_rescue
        else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("desk/partials/rescue_banner.html", takes_context=True)
def rescue_banner(context: template.Context, case: Case) -> dict[str, Any]:
    """Who took the case over, when, why, and whether the customer was told (staff view)."""
    request = context.get("request")
    state = _state(context, case)
    rescue = selectors.find_open_rescue(case) if state and state.open_rescue_id else None
    return {
        "case": case,
        "rescue": rescue,
        "reasons": describe_breaches(rescue.breaches) if rescue else "",
        "can_reset": rescue is not None
        and permissions.is_supervisor(getattr(request, "user", None)),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("runaround/portal_contact.html")
def rescue_contact(case: Case) -> dict[str, Any]:
    """For the customer: the senior owner who took his case and how to reach that person."""
    rescue = selectors.find_open_rescue(case)
    if rescue is not None and rescue.new_owner_id != case.owner_id:
        # The senior handed the case on since; the page's owner line says who has it.
        rescue = None
    return {"rescue": rescue}


@register.filter
def breach_summary(breaches: Any) -> str:
    """Stored breaches as "Contacts 4 (limit 3); Transfers 3 (limit 2)"."""
    return describe_breaches(breaches) if isinstance(breaches, list) else ""
