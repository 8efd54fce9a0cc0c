"""Periodic jobs: sweeps that the workers run on a schedule, once per interval in total.

An app declares its jobs in a module named `periodic.py` (for example
`truedesk/cases/periodic.py`) that calls `register_periodic` at import time.
`truedesk worker` imports every app's `periodic` module with
`discover_periodic_jobs()` and calls `run_due_jobs()` between queued tasks.
Any number of workers may run: each job is claimed through a database row
before it runs, so one interval runs a job once, on whichever worker claims it.
Jobs should be quick and idempotent; long work belongs in a queued task.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

logger = logging.getLogger(__name__)


class Claim(Protocol):
    """Answers "may I run this job now?" and records the run when the answer is yes.

    `truedesk worker` passes `PeriodicJobState.objects.claim` (truedesk.web.models),
    which keeps this module free of any app's models.
    """

    def __call__(self, *, name: str, every: timedelta, now: datetime) -> bool: ...


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    func: Callable[[], object]


_registry: dict[str, PeriodicJob] = {}


def register_periodic(name: str, every: timedelta, func: Callable[[], object]) -> None:
    """Declare a job; the same name may be registered again only with the same function."""
    if every <= timedelta(0):
        raise ValueError(f"Periodic job {name!r} needs a positive interval, not {every}.")
    existing = _registry.get(name)
    if existing is not None and existing.func is not func:
        raise ValueError(f"Another function is already registered as periodic job {name!r}.")
    _registry[name] = PeriodicJob(name=name, every=every, func=func)


def unregister_periodic(name: str) -> None:
    """Forget a job (tests use this to clean up after themselves)."""
    _registry.pop(name, None)


def registered_jobs() -> list[PeriodicJob]:
    """Every registered job, ordered by name."""
    return [_registry[name] for name in sorted(_registry)]


def discover_periodic_jobs() -> None:
    """Import the `periodic` module of every installed app that has one."""
    autodiscover_modules("periodic")


def run_due_jobs(*, claim: Claim, now: datetime | None = None) -> list[str]:
    """Run each job that is due and that `claim` grants; return the names of those that succeeded.

    A failing job is logged and never stops the others.
    """
    moment = now or timezone.now()
    ran = []
    for job in registered_jobs():
        try:
            if not claim(name=job.name, every=job.every, now=moment):
                continue
            job.func()
        except Exception:
            logger.exception("Periodic job %s failed", job.name)
            continue
        ran.append(job.name)
    return ran
