"""Queue a background task for rows written in the current transaction."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from django.db import transaction
from django_tasks.base import Task
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.models import DBTaskResult

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


def request_drain(task: Task[[], Any]) -> None:
    """Make sure `task` (no arguments; it works through whatever is due) runs after this commit.

    A drain task processes every row that is due when it runs, so one waiting
    run serves any number of writers: with tasks in the database, a run that is
    already waiting is reused instead of queuing one per row. The reused run is
    locked (FOR UPDATE SKIP LOCKED) until this transaction ends, and a worker
    claims tasks with SKIP LOCKED too, so it cannot start that run before the
    rows written here are visible to it; SQLite's IMMEDIATE transactions
    serialise the same steps. When no unlocked run waits (none is queued, a
    worker is claiming it, another transaction holds it), a new run is queued
    in this transaction. Outside a transaction, or with another backend, the
    run is queued after the commit. Best effort like `enqueue_with_transaction`:
    the periodic sweeps do whatever a lost run would have done.
    """
    if _together.tasks is not None:
        _together.tasks.setdefault(task.module_path, task)
        return
    if not transaction.get_connection().in_atomic_block or not tasks_in_the_database():
        transaction.on_commit(partial(_enqueue_logged, task))
        return
    try:
        with transaction.atomic():
            waiting = (
                DBTaskResult.objects.ready()
                .filter(task_path=task.module_path, backend_name=task.backend)
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)
                .first()
            )
            if waiting is None:
                task.enqueue()
    except Exception:
        logger.exception("could not queue %s in the transaction; the sweep will", task.name)


class _Together(threading.local):
    tasks: dict[str, Task[[], Any]] | None = None


_together = _Together()


@contextmanager
def drains_requested_together() -> Iterator[None]:
    """Within this block `request_drain` only notes the task; each is requested once at its end.

    For batch work that would otherwise request the same drain for every row
    (each request a locked read or an insert): the block's transactions must
    have ended by then, so the runs requested at the end see their rows. A
    request made for a savepoint that rolled back only costs a run that finds
    nothing to do. Nested blocks join the outermost one.
    """
    if _together.tasks is not None:
        yield
        return
    _together.tasks = {}
    try:
        yield
    finally:
        tasks, _together.tasks = _together.tasks, None
        for task in tasks.values():
            # In a transaction of its own, so a waiting run can be reused (locked).
            with transaction.atomic():
                request_drain(task)


def _enqueue_logged(task: Task[[], Any]) -> None:
    try:
        task.enqueue()
    except Exception:
        logger.exception("could not queue %s; the sweep will do its work", task.name)
