"""The JSON body a delivery carries, rendered once per endpoint at fan-out.

What an endpoint may read is decided here: customer-visible text (replies,
recorded calls) is included; internal notes' text and other staff-only free
text (hand-off notes, decline notes, flag reasons) only for endpoints an
administrator marked `include_internal`. The rest of the event is sent as the
case trail recorded it.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from truedesk.cases.models import CaseEvent, EventKind, Interaction

# Staff-only free text inside event data, removed for endpoints without include_internal.
INTERNAL_TEXT_KEYS = frozenset(
    {"handoff_note", "note", "response_note", "reason", "flag_reason", "text", "body"}
)
# Events whose data names an interaction: the first message, replies, notes, calls.
INTERACTION_KINDS = frozenset(
    {
        EventKind.OPENED,
        EventKind.REPLY_ADDED,
        EventKind.NOTE_ADDED,
        EventKind.INTERACTION_RECORDED,
    }
)
MAX_TEXT_CHARS = 10_000


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: "[redacted]" if key in INTERNAL_TEXT_KEYS and value[key] else _redact(value[key])
            for key in value
        }
    if isinstance(value, list):
        return [_redact(item) for item in value]
    return value


def actor_label(event: CaseEvent) -> str:
    if event.actor is not None:
        return str(event.actor.display_name)
    return event.actor_label or "system"


def _interaction(interaction: Interaction, *, include_internal: bool) -> dict[str, Any]:
    shown = include_internal or not interaction.is_internal
    text = interaction.body if shown else ""
    return {
        "id": interaction.pk,
        "channel": interaction.channel,
        "direction": interaction.direction,
        "internal": interaction.is_internal,
        "text": text[:MAX_TEXT_CHARS] if shown else None,
        "text_truncated": shown and len(text) > MAX_TEXT_CHARS,
        "text_withheld": not shown,
    }


def interaction_id_of(event: CaseEvent) -> int | None:
    value = event.data.get("interaction_id") if isinstance(event.data, dict) else None
    return value if isinstance(value, int) and event.kind in INTERACTION_KINDS else None


def render(event: CaseEvent, *, interaction: Interaction | None, include_internal: bool) -> str:
    """The delivery body for one endpoint: compact JSON, UTF-8 text."""
    data = event.data if isinstance(event.data, dict) else {}
    body: dict[str, Any] = {
        "type": f"case.{event.kind}",
        "event_id": event.pk,
        "created_at": event.created_at.isoformat(),
        "case": {
            "id": event.case_id,
            "number": event.case.number,
            "url": f"{settings.SITE_URL}/desk/cases/{event.case.number}/",
        },
        "actor": {"label": actor_label(event), "user_id": event.actor_id},
        "data": data if include_internal else _redact(data),
    }
    if interaction is not None:
        body["interaction"] = _interaction(interaction, include_internal=include_internal)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str)
