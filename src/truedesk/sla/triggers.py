"""When clocks move: right after the commit of each case event that can start, stop,
pause or retarget one.

The listener runs after the commit (cases.actions subscribers), so it must stay
cheap and must not fail the request: events that cannot move a clock cost
nothing, and an error is logged and left to the sweep's catch-up, which applies
any event the listener missed.
"""

from __future__ import annotations

import logging

from truedesk.cases.models import CaseEvent
from truedesk.sla.replay import RELEVANT_EVENTS

logger = logging.getLogger(__name__)


def on_case_event(event: CaseEvent) -> None:
    """Apply the case's new events to its SLA clocks when this event may move one."""
    if event.kind not in RELEVANT_EVENTS:
        return
    from truedesk.sla.actions import sync_case_clocks

    try:
        sync_case_clocks(case_id=event.case_id)
    except Exception:
        logger.exception("SLA clocks of case %s not updated; the sweep will", event.case_id)
