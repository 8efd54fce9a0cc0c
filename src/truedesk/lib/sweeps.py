"""Run one step per due row, a batch at a time, for the periodic sweeps.

The rows are re-queried after each batch, so a step that settles a row (marks
a promise missed, a clock breached) takes it out of the next batch. A step that
fails is logged and left due, to be retried on the next sweep; the others go on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

logger = logging.getLogger(__name__)


def for_each_due(
    ids: Callable[[], QuerySet[Any]], step: Callable[[int], bool], *, batch: int, what: str
) -> int:
    """Call `step(pk)` for every row `ids()` finds; return how many steps succeeded."""
    done = 0
    while True:
        pks = list(ids().values_list("pk", flat=True)[:batch])
        succeeded = 0
        for pk in pks:
            try:
                succeeded += step(pk)
            except Exception:
                # One bad row must not stop the sweep: it stays due and is retried.
                logger.exception("%s sweep step %s failed for %s", what, step.__name__, pk)
        done += succeeded
        if len(pks) < batch or not succeeded:
            return done
