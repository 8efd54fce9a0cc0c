"""Email facts on the desk timeline: `email_states_for` once, then `email_state` per item."""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.channels.email.display import EmailState, email_states, interaction_ids

register = template.Library()


@register.simple_tag
def email_states_for(timeline: Any) -> dict[int, EmailState]:
    return email_states(interaction_ids(timeline))


@register.inclusion_tag("email_channel/interaction_state.html")
def email_state(states: dict[int, EmailState], interaction: Any) -> dict[str, Any]:
    pk = getattr(interaction, "pk", None)
    return {"state": (states or {}).get(pk) if isinstance(pk, int) else None}
