"""The single place case events are written, and announced to subscribers after the commit.

Every CaseEvent row goes through `write_event`: the case actions call it (via
their `_record`), and apps above cases (promises, SLA, runaround, routing) call
`record_case_event`. Subscribers (`subscribe_to_case_events`: SLA clocks, the
runaround guard, notifications, webhooks) hear each event once its transaction
has committed, so a rolled-back change is never announced.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.actions import SystemActor
from truedesk.accounts.models import User
from truedesk.cases.errors import InvalidInput
from truedesk.cases.models import Case, CaseEvent, EventKind

logger = logging.getLogger(__name__)

CaseEventListener = Callable[[CaseEvent], None]
_listeners: list[CaseEventListener] = []

# Kinds that apps above cases record about a case through record_case_event; the
# others are written only by the case actions themselves.
RECORDABLE_EVENT_KINDS = frozenset(
    {
        EventKind.RESCUED,
        EventKind.GUARD_RESET,
        EventKind.ROUTED,
        EventKind.HELD,
        EventKind.FLAGGED,
        EventKind.PROMISE_MADE,
        EventKind.PROMISE_KEPT,
        EventKind.PROMISE_BROKEN,
        EventKind.PROMISE_RENEGOTIATED,
        EventKind.PROMISE_MISSED,
        EventKind.SLA_BREACHED,
    }
)


def subscribe_to_case_events(listener: CaseEventListener) -> None:
    """Call `listener(event)` after the commit of every case event (notifications, webhooks)."""
    if listener not in _listeners:
        _listeners.append(listener)


def unsubscribe_from_case_events(listener: CaseEventListener) -> None:
    """Stop calling a listener added with subscribe_to_case_events."""
    if listener in _listeners:
        _listeners.remove(listener)


def _announce_all(events: list[CaseEvent]) -> None:
    # The subscribers' writes (SLA clocks, queued routing and rescue tasks, webhook
    # outbox rows) share one transaction, so a batch of events costs one commit,
    # not one per subscriber and event; each runs in its own savepoint, so a
    # failing one is rolled back alone, as if it had its own transaction.
    if not events:
        return
    try:
        with transaction.atomic():
            for event in events:
                for listener in list(_listeners):
                    try:
                        with transaction.atomic():
                            listener(event)
                    except Exception:
                        # The case change is committed; one failing subscriber must not
                        # turn it into an error for the user or starve the others.
                        logger.exception(
                            "case event listener %r failed for event %s", listener, event.pk
                        )
    except Exception:
        # The shared commit itself failed (the database went away): the sweeps
        # (SLA catch-up, routing, runaround, webhooks) redo what was lost.
        logger.exception(
            "the reactions to case events %s were not committed", [e.pk for e in events]
        )


class _Batch(threading.local):
    events: list[CaseEvent] | None = None


_batch = _Batch()


@contextmanager
def announced_together() -> Iterator[None]:
    """Hold back the announcements of events committed in this block; announce them at its end.

    For batch work (inbound email, routing drains) that commits many events:
    their subscribers run once the block ends, all in one transaction (a
    savepoint each), instead of one transaction per event. An event whose
    transaction or savepoint rolled back is never announced. Nested blocks
    join the outermost one.
    """
    if _batch.events is not None:
        yield
        return
    _batch.events = []
    try:
        yield
    finally:
        events, _batch.events = _batch.events, None
        _announce_all(events)


def _after_commit(event: CaseEvent) -> None:
    if _batch.events is not None:
        _batch.events.append(event)
    else:
        _announce_all([event])


def actor_of(acting: User | SystemActor) -> tuple[User | None, str]:
    """(user, label) for an event: a signed-in user, or a system component by its label."""
    if isinstance(acting, SystemActor):
        return None, acting.label
    return acting, ""


def write_event(
    case: Case,
    kind: str,
    data: dict[str, Any],
    *,
    actor: User | None,
    actor_label: str = "",
    at: datetime | None = None,
) -> CaseEvent:
    """Append one event (append-only) and announce it after the commit; no checks."""
    event = CaseEvent.objects.create(
        case=case,
        actor=actor,
        actor_label=actor_label,
        kind=kind,
        data=data,
        created_at=at or timezone.now(),
    )
    transaction.on_commit(partial(_after_commit, event))
    return event


def record_case_event(
    *,
    acting_user: User | SystemActor,
    case: Case,
    kind: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> CaseEvent:
    """Append an event an app above cases keeps on the case's trail (a promise, a rescue…).

    Only RECORDABLE_EVENT_KINDS; call it inside the caller's transaction. The
    case row is not changed; subscribers hear the event after the commit.
    `at` (default now) is the moment the fact happened, e.g. a sweep's `now`.
    """
    if kind not in RECORDABLE_EVENT_KINDS:
        raise InvalidInput(_("Unknown event kind."), field="kind")
    actor, actor_label = actor_of(acting_user)
    return write_event(case, kind, data, actor=actor, actor_label=actor_label, at=at)
