"""The routing sweep, run by `truedesk worker` (see truedesk.lib.periodic).

It catches everything the after-commit tasks can miss: a shift that starts, a
certification granted, a department that opens, a task lost with its process.
"""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic

EVERY = timedelta(seconds=30)


def routing_sweep_job() -> None:
    """Enrol lost cases, withdraw finished ones and route the hold queue."""
    # Imported when the job runs, so a problem in routing breaks this job only.
    from truedesk.routing.actions import sweep

    sweep()


register_periodic("routing.sweep", EVERY, routing_sweep_job)
