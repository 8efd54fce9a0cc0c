"""Web-form facts on the desk timeline: `webform_senders_for` once, then `webform_sender`."""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.channels.webform.display import interaction_ids, unverified_senders
from truedesk.channels.webform.models import WebFormSender

register = template.Library()


@register.simple_tag
def webform_senders_for(timeline: Any) -> dict[int, WebFormSender]:
    return unverified_senders(interaction_ids(timeline))


@register.inclusion_tag("webform/interaction_sender.html")
def webform_sender(senders: dict[int, WebFormSender], interaction: Any) -> dict[str, Any]:
    pk = getattr(interaction, "pk", None)
    return {"sender": (senders or {}).get(pk) if isinstance(pk, int) else None}
