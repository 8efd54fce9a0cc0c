"""Periodic jobs of the runaround guard, run by `truedesk worker` (see truedesk.lib.periodic)."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic


def sweep_runaround_job() -> None:
    """Days open grows with time, not with events: rescue cases open too long."""
    from truedesk.runaround.actions import sweep_runaround

    sweep_runaround()


register_periodic("runaround.sweep", timedelta(minutes=5), sweep_runaround_job)
