"""What the desk shows about an interaction's email: delivery state and inbound warnings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from truedesk.channels.email.models import InboundMessage, OutboundEmail


def warning_text(code: str, detail: str) -> str:
    texts = {
        "charset_guessed": _("The text's character set was wrong or missing; it was guessed."),
        "charset_wrong": _("The message declared no or the wrong character set; read as UTF-8."),
        "charset_unknown": _("Unknown character set “%(detail)s”; the text may be garbled."),
        "attachment_too_large": _("An attachment was too large to keep: %(detail)s."),
        "too_many_attachments": _("Too many attachments; not kept: %(detail)s."),
        "too_many_parts": _("The message has too many parts; only the first were read."),
        "too_deep": _("The message is nested too deeply; inner parts were skipped."),
        "malformed": _("The message is malformed (%(detail)s); it was read as well as possible."),
        "header_truncated": _("A header was too long and was shortened."),
        "text_truncated": _("The text was too long and was shortened."),
        "foreign_reference": _(
            "The message referred to a case of another customer; it was not added there."
        ),
        "case_closed": _("The message answered closed case #%(detail)s, so it opened this one."),
    }
    text = texts.get(code, _("Something in the message could not be read (%(detail)s)."))
    return text % {"detail": detail} if "%(detail)s" in text else text


@dataclass
class EmailState:
    outbound: OutboundEmail | None = None
    inbound: InboundMessage | None = None
    warnings: list[str] = field(default_factory=list)


def email_states(interaction_ids: list[int]) -> dict[int, EmailState]:
    """Email facts for the given interactions, in two queries."""
    states: dict[int, EmailState] = {}
    if not interaction_ids:
        return states
    for outbound in OutboundEmail.objects.filter(interaction_id__in=interaction_ids).only(
        "interaction_id", "status", "attempts", "last_error", "next_attempt_at", "sent_at",
        "to_address",
    ):  # fmt: skip
        assert outbound.interaction_id is not None
        states.setdefault(outbound.interaction_id, EmailState()).outbound = outbound
    inbound_rows = InboundMessage.objects.filter(interaction_id__in=interaction_ids).only(
        "interaction_id", "warnings", "sender", "full_text"
    )
    for inbound in inbound_rows:
        assert inbound.interaction_id is not None
        state = states.setdefault(inbound.interaction_id, EmailState())
        state.inbound = inbound
        state.warnings = [
            warning_text(str(w.get("code", "")), str(w.get("detail", "")))
            for w in (inbound.warnings or [])
            if isinstance(w, dict)
        ]
    return states


def interaction_ids(timeline: Any) -> list[int]:
    ids = []
    for item in timeline or []:
        interaction = getattr(item, "interaction", None)
        if interaction is not None and interaction.channel == "email":
            ids.append(int(interaction.pk))
    return ids
