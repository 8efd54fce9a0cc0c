"""Queue a background task for rows written in the current transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends

logger = logging.getLogger(__name__)


def tasks_in_the_database() -> bool:
    """True when queued tasks are rows of this database (django-tasks-db, the default)."""
    return isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)


def enqueue_with_transaction(enqueue: Callable[[], object]) -> None:
    """Call `enqueue` (which queues a task) so the task exists only if the transaction commits.

    With tasks in the database the task row is written now, in a savepoint of
    the current transaction: it commits with the rows it is about (no separate
    commit, and so no separate disk flush, per task) and disappears with them
    on a rollback. Any other backend could run the task before the commit, so
    there the call waits for the commit, as `transaction.on_commit` does.
    Outside a transaction it is called at once. `enqueue` is best effort: a
    failure is logged and the transaction goes on (the periodic sweeps queue
    or do whatever was missed).
    """
    if not transaction.get_connection().in_atomic_block or not tasks_in_the_database():
        transaction.on_commit(enqueue)
        return
    try:
        with transaction.atomic():
            enqueue()
    except Exception:
        logger.exception("could not queue a task in the transaction; the sweep will do it")
