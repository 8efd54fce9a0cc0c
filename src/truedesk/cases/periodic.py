"""Periodic sweeps for cases, run by `truedesk worker` (see truedesk.lib.periodic)."""

from __future__ import annotations

from datetime import timedelta

from truedesk.lib.periodic import register_periodic


def expire_transfers_job() -> None:
    """Unanswered transfers past their deadline go back to the sender."""
    # Imported when the job runs, so a problem in the cases code breaks this
    # one job, not the worker's start-up.
    from truedesk.cases.actions import expire_transfers

    expire_transfers()


register_periodic("cases.expire_transfers", timedelta(minutes=1), expire_transfers_job)
