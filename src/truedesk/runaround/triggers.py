"""When the guard looks at a case: after every committed change that can move its counters.

The listener runs after the commit of each case event (cases.actions
subscribers), so it must stay cheap: events that cannot move a counter cost
nothing, the others one query; only a case that crossed a threshold is handed
to a queued task, which does the rescue.
"""

from __future__ import annotations

import logging

from truedesk.cases.models import CaseEvent, EventKind
from truedesk.runaround import selectors

logger = logging.getLogger(__name__)

# Events after which contacts, staff, transfers or customer time may have grown.
COUNTING_EVENTS = frozenset(
    {
        EventKind.OPENED,
        EventKind.REPLY_ADDED,
        EventKind.INTERACTION_RECORDED,
        EventKind.TRANSFER_ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.MERGE_RECEIVED,
    }
)


def on_case_event(event: CaseEvent) -> None:
    """Queue a rescue when the event's case went over a threshold and is not rescued yet."""
    if event.kind not in COUNTING_EVENTS:
        return
    state = selectors.find_guard_state(event.case_id)
    if state is None or not state.needs_rescue():
        return
    try:
        # Imported here, inside the try: building the task needs a working task backend.
        from truedesk.runaround.tasks import rescue_case_task

        rescue_case_task.enqueue(event.case_id)
    except Exception:
        # The periodic sweep rescues it anyway.
        logger.exception("could not queue the rescue of case %s; the sweep will", event.case_id)
