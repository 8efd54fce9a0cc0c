"""What the desk shows about a web-form interaction: whether its sender is unverified."""

from __future__ import annotations

from typing import Any

from truedesk.channels.webform.models import WebFormSender


def unverified_senders(interaction_ids: list[int]) -> dict[int, WebFormSender]:
    """Web-form senders who used an existing customer's address, by interaction id (one query)."""
    if not interaction_ids:
        return {}
    rows = WebFormSender.objects.filter(
        interaction_id__in=interaction_ids, address_was_known=True
    ).only("interaction_id", "email", "typed_name")
    return {row.interaction_id: row for row in rows}


def interaction_ids(timeline: Any) -> list[int]:
    ids = []
    for item in timeline or []:
        interaction = getattr(item, "interaction", None)
        if interaction is not None and interaction.channel == "web_form":
            ids.append(int(interaction.pk))
    return ids
