"""Template tags of the agent desk: timeline wording, times, choice labels, htmx attributes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from truedesk.cases.models import Case, CaseEvent, CaseLink, EventKind
from truedesk.promises.models import Promise
from truedesk.routing import reasons as routing_reasons

register = template.Library()

FIELD_LABELS = {
    "subject": gettext_lazy("Subject"),
    "kind": gettext_lazy("Kind"),
    "priority": gettext_lazy("Priority"),
    "severity": gettext_lazy("Severity"),
    "department": gettext_lazy("Department"),
    "organisation": gettext_lazy("Organisation"),
    "tags": gettext_lazy("Tags"),
    "status": gettext_lazy("Status"),
}
CHOICES: dict[str, Any] = {
    "kind": Case.Kind,
    "priority": Case.Priority,
    "severity": Case.Severity,
    "status": Case.Status,
}
CANCEL_REASONS = {
    "taken": gettext_lazy("the case was taken from the queue"),
    "assigned": gettext_lazy("a supervisor assigned the case"),
    "closed": gettext_lazy("the case was closed"),
    "merged": gettext_lazy("the case was merged"),
}


def _name(ref: Any) -> str:
    if isinstance(ref, dict) and ref.get("name"):
        return str(ref["name"])
    return _("nobody")


def _label(choices: Any, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _display(field: str, value: Any) -> str:
    """A before/after value from event data as people read it."""
    if value is None or value == "" or value == []:
        return "—"
    if field in CHOICES:
        return _label(CHOICES[field], value)
    if isinstance(value, dict):
        return _name(value)
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


# The labels system components write into CaseEvent.actor_label, as staff read them.
SYSTEM_ACTORS = {
    "system": gettext_lazy("The system"),
    "sla": gettext_lazy("SLA clock"),
    "runaround guard": gettext_lazy("Runaround guard"),
    "routing": gettext_lazy("Routing"),
    "email": gettext_lazy("Email"),
    "web form": gettext_lazy("Web form"),
}


def _actor(event: CaseEvent) -> str:
    if event.actor_label and event.actor is not None:
        # A partner user acting for a customer: "partner P (user) for customer C".
        return event.actor_label
    if event.actor is not None:
        return event.actor.display_name
    if event.actor_label in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[event.actor_label])
    return event.actor_label or _("The system")


def _transfer_summary(kind: str, data: dict[str, Any], actor: str) -> str | None:
    owner = _name(data.get("owner"))
    if kind == EventKind.TRANSFER_REQUESTED:
        receiver = data.get("to_user") or data.get("to_department")
        return _("%(actor)s asked %(receiver)s to take over the case.") % {
            "actor": actor,
            "receiver": _name(receiver),
        }
    if kind == EventKind.TRANSFER_ACCEPTED:
        return _("%(actor)s accepted the transfer and now owns the case.") % {"actor": actor}
    if kind == EventKind.TRANSFER_DECLINED:
        return _("%(actor)s declined the transfer; the case stays with %(owner)s.") % {
            "actor": actor,
            "owner": owner,
        }
    if kind == EventKind.TRANSFER_CANCELLED:
        why = CANCEL_REASONS.get(str(data.get("why", "")))
        if why:
            return _("The transfer was cancelled because %(why)s.") % {"why": why}
        return _("%(actor)s cancelled the transfer.") % {"actor": actor}
    if kind == EventKind.TRANSFER_EXPIRED:
        return _("The transfer expired unanswered; the case stays with %(owner)s.") % {
            "owner": owner
        }
    return None


def _link_summary(kind: str, data: dict[str, Any]) -> str | None:
    if kind == EventKind.MERGED:
        return _("Merged into case #%(number)s.") % {"number": data.get("into", {}).get("number")}
    if kind == EventKind.MERGE_RECEIVED:
        return _("Case #%(number)s was merged into this case.") % {
            "number": data.get("from", {}).get("number")
        }
    if kind in (EventKind.LINKED, EventKind.UNLINKED):
        other = data.get("to") or data.get("from") or {}
        values = {
            "kind": _label(CaseLink.Kind, data.get("kind")),
            "number": other.get("number"),
        }
        if kind == EventKind.LINKED:
            return _("Linked (%(kind)s) with case #%(number)s.") % values
        return _("Link (%(kind)s) with case #%(number)s removed.") % values
    return None


@register.filter
def event_summary(event: CaseEvent) -> str:
    """One sentence saying what happened, in the viewer's language."""
    actor = _actor(event)
    data = event.data if isinstance(event.data, dict) else {}
    kind = event.kind
    summary = (
        _transfer_summary(kind, data, actor)
        or _link_summary(kind, data)
        or routing_reasons.describe_event(kind, data)
    )
    if summary:
        return summary
    if kind == EventKind.OPENED:
        return _("%(actor)s opened the case.") % {"actor": actor}
    if kind == EventKind.TAKEN:
        return _("%(actor)s took the case.") % {"actor": actor}
    if kind == EventKind.ASSIGNED:
        after = data.get("owner", {}).get("after")
        return _("%(actor)s made %(owner)s the owner.") % {"actor": actor, "owner": _name(after)}
    if kind == EventKind.STATUS_CHANGED:
        return _("%(actor)s changed the status.") % {"actor": actor}
    if kind in (EventKind.UPDATED, EventKind.TAGS_CHANGED):
        return _("%(actor)s changed the case details.") % {"actor": actor}
    return f"{actor}: {_label(EventKind, kind)}"


@register.filter
def event_changes(event: CaseEvent) -> list[tuple[str, str, str]]:
    """(field label, before, after) for every field the event changed."""
    data = event.data if isinstance(event.data, dict) else {}
    changes = dict(data.get("changes") or {})
    for field in ("status", "tags"):
        if isinstance(data.get(field), dict):
            changes[field] = data[field]
    rows = []
    for field, change in changes.items():
        if not isinstance(change, dict):
            continue
        label = str(FIELD_LABELS.get(field, field))
        rows.append(
            (label, _display(field, change.get("before")), _display(field, change.get("after")))
        )
    return rows


@register.filter
def minutes(seconds: Any) -> int:
    """Whole minutes, rounded up: a customer's 20 seconds on hold still cost him a minute."""
    try:
        value = int(seconds)
    except (TypeError, ValueError):
        return 0
    return (value + 59) // 60 if value > 0 else 0


@register.simple_tag
def hx_page(action: str) -> SafeString:
    """Attributes that make a form submit through htmx and refresh the page body in place.

    The server answers exactly as without JavaScript (a redirect to the page,
    or the page with errors); htmx swaps only #desk-page and the notice.
    """
    return format_html(
        'hx-post="{}" hx-target="#desk-page" hx-select="#desk-page" hx-swap="outerHTML" '
        'hx-select-oob="#desk-notice:innerHTML" hx-disabled-elt="find button"',
        action,
    )


@register.simple_tag
def ago(moment: datetime | None) -> str:
    """`<time>` saying how long ago, with the exact local time (ISO-like) on hover.

    Rendered in one go because lists show one per row: the three filters it
    replaces (naturaltime, date "c", date DATETIME_FORMAT) cost twice as much.
    """
    if moment is None:
        return "—"
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        local.strftime("%Y-%m-%d %H:%M"),
        naturaltime(moment),
    )


@register.simple_tag
def at(moment: datetime | None) -> str:
    """`<time>` with the moment in the viewer's zone, written out in the viewer's format."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        date_format(local, "DATETIME_FORMAT"),
    )


# (model label, field, language) -> {value: translated label}. Translations do
# not change while the process runs, so each is built once per language.
_CHOICE_LABELS: dict[tuple[str, str, str], dict[Any, str]] = {}


@register.filter
def choice_label(obj: Any, field_name: str) -> str:
    """The translated label of a choice field, like get_FOO_display but cached per language.

    Timelines show two per entry; the lazy label of get_FOO_display is
    translated anew every time.
    """
    meta = obj._meta
    key = (meta.label, field_name, get_language() or "")
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        field = meta.get_field(field_name)
        labels = {value: str(label) for value, label in field.flatchoices}
        _CHOICE_LABELS[key] = labels
    value = getattr(obj, field_name)
    return labels.get(value, str(value))


@register.filter
def iso_moment(value: Any) -> datetime | None:
    """An ISO 8601 string kept in an event's data, as a datetime for `{% at %}`; None if not."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@register.filter
def promise_kind(value: Any) -> str:
    """The translated label of a promise kind kept in an event's data ("call_back")."""
    try:
        return str(Promise.Kind(value).label)
    except ValueError:
        return str(value)
