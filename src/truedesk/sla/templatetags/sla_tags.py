"""SLA template tags: badges for desk lists (one query per page), the case panel, the
customer's expectations in plain words on the portal."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from truedesk.cases.errors import NotFound
from truedesk.cases.models import Case
from truedesk.sla import selectors, wording
from truedesk.sla.models import Metric
from truedesk.sla.selectors import ClockState

register = template.Library()

TONE_CLASSES = {"good": "good", "warn": "warn", "bad": "bad", "plain": ""}


class SlaBoard(dict[int, list[ClockState]]):
    """The unstopped clocks of a page's cases by case id; falsy when no case has one."""


def _case_of(row: Any) -> Case:
    if isinstance(row, Case):
        return row
    if isinstance(row, dict):
        return row["case"]
    return row.case


@register.simple_tag
def sla_states_for(rows: Iterable[Any] | None) -> SlaBoard:
    """`{% sla_states_for rows as sla %}`: every row's clocks in one query (rows are cases,
    or objects or dicts with a `case`)."""
    return SlaBoard(selectors.sla_states_for_cases([_case_of(row) for row in rows or ()]))


@register.simple_tag
def sla_badge(case: Case, board: SlaBoard | None) -> SafeString:
    """The most urgent clock of a case in a list, from `sla_states_for`; a dash when none runs.

    Built without a template: it is rendered once per row.
    """
    states = board.get(case.pk) if board else None
    if not states:
        return format_html(
            '<span class="muted" aria-hidden="true">—</span>'
            '<span class="visually-hidden">{}</span>',
            _("No service-level clock running"),
        )
    return badge_html(states[0])


def badge_html(state: ClockState) -> SafeString:
    """A badge whose words say what its colour does: "First response: 2 h 10 min left"."""
    return format_html(
        '<span class="badge sla {}">{}: {}</span>', TONE_CLASSES[state.tone], state.label,
        state.text,
    )  # fmt: skip


@register.inclusion_tag("sla/partials/panel.html", takes_context=True)
def sla_panel(context: template.Context, case: Case) -> dict[str, Any]:
    """The case page's SLA card: each metric's newest clock with its deadline and time left."""
    user = getattr(context.get("request"), "user", None)
    try:
        states = selectors.get_sla_state(user, case)
    except NotFound:
        states = []
    rows = [(state, TONE_CLASSES[state.tone]) for state in states]
    policy = next((state.policy_name for state in states if state.stopped_at is None), "")
    return {"rows": rows, "policy_name": policy, "case": case}


def _expectation(state: ClockState, *, zone: str) -> str:
    due = wording.local_moment(state.due_at, zone=zone)
    answer = state.metric != Metric.RESOLUTION
    if state.overdue or state.breached:
        if answer:
            return _("Sorry: we meant to answer by %(due)s and are running late.") % {"due": due}
        return _("Sorry: we meant to resolve your case by %(due)s and are running late.") % {
            "due": due
        }
    if answer:
        return _("We aim to answer by %(due)s.") % {"due": due}
    return _("We aim to resolve your case by %(due)s.") % {"due": due}


@register.inclusion_tag("sla/partials/expectations.html", takes_context=True)
def sla_expectations(context: template.Context, case: Case) -> dict[str, Any]:
    """For the case's customer: what to expect, by when, in his own time zone."""
    user = getattr(context.get("request"), "user", None)
    try:
        states = selectors.get_sla_state(user, case)
    except NotFound:
        states = []
    live = [state for state in states if state.stopped_at is None]
    zone = case.customer.time_zone
    lines = [_expectation(state, zone=zone) for state in live if not state.paused]
    paused = any(state.paused for state in live)
    return {"lines": lines, "paused": paused}
