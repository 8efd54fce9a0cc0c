"""`{% customer_callbacks %}`: the portal home's call-back panel (waiting requests, ask link)."""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.cases import permissions
from truedesk.channels.contactcentre import selectors
from truedesk.customers.models import Customer

register = template.Library()


@register.inclusion_tag("contactcentre/partials/callbacks.html", takes_context=True)
def customer_callbacks(context: dict[str, Any]) -> dict[str, Any]:
    """The signed-in customer's waiting call-backs and whether any line takes them."""
    request = context["request"]
    own = permissions.customer_id_of(request.user)
    if own is None:
        return {"callbacks": [], "offer": False}
    customer = Customer.objects.get(pk=own)
    return {
        "callbacks": selectors.list_waiting_callbacks(customer),
        "offer": bool(selectors.list_phone_queues()),
    }
