"""What the portal tells a customer about a case: plain words, never internal detail.

Statuses become sentences a customer understands, the owner is named as the
one accountable person, and the timeline is reduced to public messages and the
few events a customer may see — rendered from fixed sentences, never from raw
event data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from truedesk.cases.models import Attachment, Case, EventKind, Interaction
from truedesk.cases.selectors import TimelineItem

Status = Case.Status


def status_words(case: Case) -> str:
    """The case status as a customer would say it."""
    if case.merged_into_id is not None and case.merged_into is not None:
        return _("Merged into case #%(number)s") % {"number": case.merged_into.number}
    return _status_words(case.status)


def _status_words(status: str) -> str:
    words: dict[str, str] = {
        Status.NEW: _("Received"),
        Status.OPEN: _("In progress"),
        Status.WAITING_ON_CUSTOMER: _("Waiting for your reply"),
        Status.WAITING_ON_THIRD_PARTY: _("Waiting for a third party"),
        Status.RESOLVED: _("Resolved"),
        Status.CLOSED: _("Closed"),
    }
    return words.get(status, status)


def status_tone(case: Case) -> str:
    """A CSS badge tone: warn when the customer is expected to act, good when done."""
    if case.status == Status.WAITING_ON_CUSTOMER:
        return "warn"
    if case.status in (Status.RESOLVED, Status.CLOSED):
        return "good"
    return ""


def owner_words(case: Case) -> str:
    """Who is accountable for the case, in one sentence."""
    if case.owner is not None:
        if case.is_active:
            return _("%(name)s is handling your case") % {"name": case.owner.display_name}
        return _("%(name)s handled your case") % {"name": case.owner.display_name}
    if case.is_active:
        return _("Waiting for the next available agent")
    return _("Handled by our support team")


@dataclass(frozen=True)
class Entry:
    """One line of the customer's timeline: a public message or a public event."""

    at: datetime
    case_number: int
    text: str
    who: str = ""
    channel: str = ""
    from_customer: bool = False
    is_message: bool = False
    attachments: list[Attachment] = field(default_factory=list)


def _name(data: Any, key: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, dict):
        value = value.get("after", value)
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return ""


def _event_text(kind: str, data: Any) -> str:
    if not isinstance(data, dict):
        data = {}
    if kind == EventKind.OPENED:
        return _("Case opened")
    if kind in (EventKind.TAKEN, EventKind.ASSIGNED, EventKind.TRANSFER_ACCEPTED):
        name = _name(data, "owner")
        if not name:
            return ""
        return _("%(name)s is now responsible for your case") % {"name": name}
    if kind == EventKind.STATUS_CHANGED:
        status = data.get("status")
        after = status.get("after") if isinstance(status, dict) else None
        if not after:
            return ""
        return _("Status changed to “%(status)s”") % {"status": _status_words(str(after))}
    if kind == EventKind.MERGED:
        into = data.get("into")
        number = into.get("number") if isinstance(into, dict) else None
        if number is None:
            return ""
        return _("This case was merged into case #%(number)s") % {"number": number}
    return ""


def _message(item: TimelineItem, interaction: Interaction) -> Entry:
    from_customer = interaction.direction == Interaction.Direction.INBOUND
    if from_customer and interaction.author_user is not None:
        # A partner wrote for the customer: say who, so the customer can check it.
        who = _("%(partner)s (%(user)s) for you") % {
            "partner": interaction.author_user.partner or "",
            "user": interaction.author_user.display_name,
        }
    elif from_customer:
        who = _("You")
    else:
        staff = interaction.author_user or interaction.handled_by
        who = staff.display_name if staff is not None else _("Support team")
    return Entry(
        at=item.at,
        case_number=item.case_number,
        text=interaction.body,
        who=str(who),
        channel=str(interaction.get_channel_display()),
        from_customer=from_customer,
        is_message=True,
        attachments=list(interaction.attachments.all()),
    )


def customer_timeline(items: list[TimelineItem]) -> list[Entry]:
    """The public timeline, oldest first, as a conversation reads.

    Internal items are dropped here as well as in the selector: a customer
    must never see one even if the selector's rules change.
    """
    entries: list[Entry] = []
    for item in reversed(items):
        if item.is_internal:
            continue
        if item.interaction is not None:
            entries.append(_message(item, item.interaction))
        elif item.event is not None:
            text = _event_text(item.event.kind, item.event.data)
            if text:
                entries.append(Entry(at=item.at, case_number=item.case_number, text=text))
    return entries
