"""Routing decisions in words, in the reader's language and time zone.

Events store codes and facts (`case_routed`, `case_held` with the reason and
its details); these functions say them the way a supervisor would, so the
timeline, the routing page and the API read the same.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from truedesk.cases.availability import format_opening
from truedesk.cases.models import EventKind


def _skill_names(data: dict[str, Any]) -> str:
    skills = data.get("skills") or []
    return ", ".join(str(s.get("name", "")) for s in skills if isinstance(s, dict))


def describe_hold(reason: str, data: dict[str, Any]) -> str:
    """ "Held: Billing is closed; it opens Monday 08:00." and the other reasons."""
    if reason == "department_closed":
        name = (data.get("department") or {}).get("name", "")
        opens = data.get("next_open_at")
        if opens:
            when = format_opening(datetime.fromisoformat(opens))
            return _("Held: %(department)s is closed; it opens %(when)s.") % {
                "department": name,
                "when": when,
            }
        return _("Held: %(department)s is closed.") % {"department": name}
    if reason == "nobody_available":
        return _("Held: nobody in the department is available and on shift.")
    if reason == "missing_skill":
        if data.get("all"):
            return _("Held: nobody available has all of %(skills)s.") % {
                "skills": _skill_names(data)
            }
        return _("Held: nobody available has %(skills)s.") % {"skills": _skill_names(data)}
    if reason == "at_capacity":
        agents = int(data.get("agents") or 0)
        return ngettext(
            "Held: the %(count)d agent who could take it is at capacity.",
            "Held: all %(count)d agents who could take it are at capacity.",
            agents,
        ) % {"count": agents}
    return _("Waiting to be routed.")


def describe_routed(data: dict[str, Any]) -> str:
    """ "Routed to Bob Brown: available, on shift, has Broadband; 0 of 3 chat cases in hand." """
    values = {
        "agent": (data.get("agent") or {}).get("name", ""),
        "load": data.get("load", 0),
        "capacity": data.get("capacity", 0),
        "channel": data.get("channel", ""),
        "skills": _skill_names(data),
    }
    if values["skills"]:
        return (
            _(
                "Routed to %(agent)s: available, on shift, has %(skills)s; "
                "%(load)s of %(capacity)s %(channel)s cases in hand, the least loaded."
            )
            % values
        )
    return (
        _(
            "Routed to %(agent)s: available, on shift; "
            "%(load)s of %(capacity)s %(channel)s cases in hand, the least loaded."
        )
        % values
    )


def describe_event(kind: str, data: dict[str, Any]) -> str | None:
    """The sentence for a routing event on the case timeline; None for other kinds."""
    if kind == EventKind.ROUTED:
        return describe_routed(data)
    if kind == EventKind.HELD:
        return describe_hold(str(data.get("reason", "")), data)
    return None
