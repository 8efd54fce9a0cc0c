"""What a case event means for its SLA clocks: a state machine over CaseSla, in memory.

`Replay.apply(event)` updates the case's SLA view (status, priority, kind, who
spoke last) from one event and then reconciles the clocks with it: each metric
runs while its condition holds and pauses while the case waits on the customer.

| metric         | runs while                                               | from            |
|----------------|----------------------------------------------------------|-----------------|
| first_response | a customer-initiated active case has no public answer    | opening         |
| next_response  | a customer message since our last public answer waits    | that message    |
| resolution     | the case is active (new, open or waiting)                | (re)opening     |

A public answer (an outbound reply or logged outbound contact, never an
internal note) stops the response clocks; resolving stops every clock with a
verdict; closing (a merge) stops them without one. A change of priority or kind
chooses the policy again and counts running clocks from their original start
with the new targets. Nothing here touches the database: `touched` lists the
clocks to save, in an order the one-running-clock constraint accepts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from truedesk.cases.models import Case, CaseEvent, EventKind, Interaction
from truedesk.sla import clocks
from truedesk.sla.models import CaseSla, Metric, SlaClock, SlaPolicy

Status = Case.Status
ACTIVE = frozenset(Case.ACTIVE_STATUSES)
WAITING = Status.WAITING_ON_CUSTOMER
PUBLIC_CONTACT_EVENTS = frozenset({EventKind.REPLY_ADDED, EventKind.INTERACTION_RECORDED})
STATUS_EVENTS = frozenset(
    {EventKind.STATUS_CHANGED, EventKind.TAKEN, EventKind.ASSIGNED, EventKind.MERGED}
)
# Events that can start, stop, pause or retarget a clock; others are skipped cheaply.
RELEVANT_EVENTS = frozenset(
    {EventKind.OPENED, EventKind.UPDATED} | PUBLIC_CONTACT_EVENTS | STATUS_EVENTS
)

PolicyFinder = Callable[[int | None, str], SlaPolicy | None]
CalendarFinder = Callable[[int | None], clocks.Calendar]
NextCycle = Callable[[str], int]


def _after(change: Any) -> Any:
    return change.get("after") if isinstance(change, dict) else None


@dataclass
class Replay:
    """Applies a case's events, in order, to its SLA state and its unstopped clocks."""

    state: CaseSla
    running: dict[str, SlaClock]
    find_policy: PolicyFinder
    calendar_for: CalendarFinder
    next_cycle: NextCycle
    touched: list[SlaClock] = field(default_factory=list)

    def apply(self, event: CaseEvent) -> None:
        """Update the state from one event, then start, stop, pause or retarget clocks."""
        at, data, kind = event.created_at, event.data or {}, event.kind
        retarget = False
        if kind == EventKind.OPENED:
            self._opened(data, at)
        elif kind == EventKind.UPDATED:
            retarget = self._updated(data.get("changes") or {})
        elif kind in PUBLIC_CONTACT_EVENTS:
            self._contact(str(data.get("direction", "")), data.get("status"), at)
        elif kind in STATUS_EVENTS:
            self._status(_after(data.get("status")), at)
        else:
            return
        self._reconcile(at, retarget=retarget)

    # --- the state ------------------------------------------------------------------

    def _opened(self, data: dict[str, Any], at: datetime) -> None:
        state = self.state
        state.status = Status.OPEN if data.get("owner") else Status.NEW
        state.priority = data.get("priority", Case.Priority.NORMAL)
        state.kind = str(data.get("kind", Case.Kind.QUESTION))
        state.opened_at = state.active_since = at
        state.customer_initiated = data.get("initiated_by", "customer") == "customer"
        # A case we opened starts with our own message: nothing awaits a first answer.
        state.first_responded_at = None if state.customer_initiated else at
        state.awaiting_reply_since = None
        state.policy = self.find_policy(state.priority, state.kind)

    def _updated(self, changes: dict[str, Any]) -> bool:
        state = self.state
        if "priority" not in changes and "kind" not in changes:
            return False
        if "priority" in changes:
            state.priority = _after(changes["priority"])
        if "kind" in changes:
            state.kind = str(_after(changes["kind"]) or "")
        state.policy = self.find_policy(state.priority, state.kind)
        return True

    def _contact(self, direction: str, status: Any, at: datetime) -> None:
        state = self.state
        if direction == Interaction.Direction.OUTBOUND:
            state.first_responded_at = state.first_responded_at or at
            state.awaiting_reply_since = None
            self._status(_after(status), at)
        elif direction == Interaction.Direction.INBOUND:
            # A customer's message may reopen the case first; it then waits for an answer.
            self._status(_after(status), at)
            if state.first_responded_at is not None and state.awaiting_reply_since is None:
                state.awaiting_reply_since = at

    def _status(self, status: Any, at: datetime) -> None:
        if not status or status == self.state.status:
            return
        state = self.state
        if status in ACTIVE and state.status not in ACTIVE:
            state.active_since = at
        if status == Status.RESOLVED:
            # Resolving answers the customer: a reopened case does not wait for
            # a first response again.
            state.first_responded_at = state.first_responded_at or at
            state.awaiting_reply_since = None
        state.status = str(status)

    def _start_of(self, metric: str) -> datetime | None:
        """When the metric's current clock should have started, or None if it should not run."""
        state = self.state
        if state.status not in ACTIVE:
            return None
        if metric == Metric.FIRST_RESPONSE:
            if state.customer_initiated and state.first_responded_at is None:
                return state.opened_at
            return None
        if metric == Metric.NEXT_RESPONSE:
            return state.awaiting_reply_since if state.first_responded_at else None
        return state.active_since

    # --- the clocks -------------------------------------------------------------------

    def _touch(self, clock: SlaClock) -> None:
        if not any(clock is seen for seen in self.touched):
            self.touched.append(clock)

    def _reconcile(self, at: datetime, *, retarget: bool) -> None:
        policy = self.state.policy
        for metric in Metric.values:
            target = policy.target_for(metric) if policy is not None else None
            start = self._start_of(metric)
            clock = self.running.get(metric)
            if clock is not None:
                if start is None or (retarget and target is None):
                    # Closing (a merge) or a dropped target ends the clock without a verdict.
                    verdict = start is None and self.state.status != Status.CLOSED
                    clocks.stop(clock, at, verdict=verdict)
                    del self.running[metric]
                    self._touch(clock)
                    continue
                if retarget and policy is not None and target is not None:
                    clocks.retarget(clock, policy, target, self.calendar_for(policy.calendar_id))
                    self._touch(clock)
            elif start is not None and policy is not None and target is not None:
                clock = clocks.new_clock(
                    case_id=self.state.case_id,
                    metric=metric,
                    cycle=self.next_cycle(metric),
                    policy=policy,
                    target=target,
                    started_at=start,
                    calendar=self.calendar_for(policy.calendar_id),
                )
                self.running[metric] = clock
                self._touch(clock)
        self._pause_or_resume(at)

    def _pause_or_resume(self, at: datetime) -> None:
        waiting = self.state.status == WAITING
        for clock in self.running.values():
            if waiting and clock.paused_at is None:
                clocks.pause(clock, at)
                self._touch(clock)
            elif not waiting and clock.paused_at is not None:
                clocks.resume(clock, self.calendar_for(clock.calendar_id), at)
                self._touch(clock)
