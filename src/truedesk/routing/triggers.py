"""When routing looks at the queue: after committed case events (cases.actions subscribers).

A new unowned case enters routing (its RoutingItem row) and a run of the
routing drain is requested (decision 0032: one waiting run serves any number
of new cases); a change that can free an agent's capacity (a status change, a
hand-over, a merge) queues a pass over the hold queue. The listener itself does
no routing.
"""

from __future__ import annotations

import logging

from truedesk.cases.models import CaseEvent, EventKind
from truedesk.lib.enqueue import request_drain
from truedesk.routing.models import Channel

logger = logging.getLogger(__name__)

FREEING_EVENTS = frozenset(
    {
        EventKind.STATUS_CHANGED,
        EventKind.TRANSFER_ACCEPTED,
        EventKind.ASSIGNED,
        EventKind.TAKEN,
        EventKind.MERGED,
    }
)


def on_case_event(event: CaseEvent) -> None:
    """Queue routing for a new unowned case, or a pass over the queue when capacity may be free."""
    from truedesk.routing.actions import enrol_case
    from truedesk.routing.tasks import dispatch_task, route_new_cases_task

    data = event.data if isinstance(event.data, dict) else {}
    try:
        if event.kind == EventKind.OPENED and data.get("owner") is None:
            # The opened event names the first contact's channel: no look-up needed.
            channel = data.get("channel") if data.get("channel") in Channel.values else None
            if enrol_case(case=event.case, channel=channel) is not None:
                request_drain(route_new_cases_task)
        elif event.kind in FREEING_EVENTS and event.actor_label != "routing":
            # A taken or assigned case also leaves the hold queue; the pass tidies it.
            dispatch_task.enqueue()
    except Exception:
        # The periodic sweep routes it anyway.
        logger.exception("could not queue routing after event %s; the sweep will", event.pk)
