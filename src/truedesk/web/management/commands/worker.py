"""`truedesk worker`: run queued background tasks and periodic jobs until stopped.

Queued tasks are run by django-tasks-db's own Worker, one bounded batch at a
time; between batches this command runs the periodic jobs that are due (see
truedesk.lib.periodic), then sleeps. Several workers may run at once, on one
machine or many.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from argparse import ArgumentParser, ArgumentTypeError
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from truedesk.lib.connections import keep_connections_open
from truedesk.lib.periodic import discover_periodic_jobs, registered_jobs, run_due_jobs
from truedesk.web.models import PeriodicJobState

logger = logging.getLogger("truedesk.worker")

# Tasks run per batch before the periodic jobs get their turn, so a long
# backlog of tasks cannot hold the sweeps back indefinitely.
BATCH_SIZE = 20
# How often, at most, a sleeping worker checks whether it should stop.
WAKE_SECONDS = 1.0


def positive_seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise ArgumentTypeError(f"{value!r} is not a number of seconds") from None
    if not 0 < seconds <= 3600:
        raise ArgumentTypeError("must be more than 0 and at most 3600 seconds")
    return seconds


class Command(BaseCommand):
    help = _("Run queued background tasks and periodic jobs until stopped (SIGTERM or Ctrl+C).")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--interval",
            type=positive_seconds,
            default=5.0,
            help=_("Seconds to wait when there is nothing to do (default: 5)."),
        )
        parser.add_argument(
            "--queue",
            default="*",
            help=_("Task queues to run, comma-separated; '*' for all (default)."),
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help=_("Run the queued tasks and the due periodic jobs once, then exit."),
        )
        parser.add_argument(
            "--parent-pid",
            type=int,
            default=None,
            help=_("Exit when this process stops being the parent (set by `truedesk run`)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        loop = WorkerLoop(
            interval=options["interval"],
            queue_names=options["queue"].split(","),
            parent_pid=options["parent_pid"],
        )
        if options["once"]:
            try:
                loop.run_once()
            except DatabaseError as exc:
                raise CommandError(
                    f"The database is not ready ({exc}); is it running and migrated?"
                ) from None
            return
        loop.install_signal_handlers()
        keep_connections_open()  # one connection per worker, not one per task
        loop.run_forever()


class WorkerLoop:
    """Alternates batches of queued tasks with due periodic jobs until asked to stop."""

    def __init__(self, *, interval: float, queue_names: list[str], parent_pid: int | None) -> None:
        self.interval = interval
        self.queue_names = queue_names
        self.parent_pid = parent_pid
        self.worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
        self.stopping = threading.Event()
        self.batch: Worker | None = None
        self.runs_tasks = isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend)
        # django-tasks-db logs "Starting worker" and "No more tasks" for every
        # batch; with a batch every few seconds that is noise.
        logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
        discover_periodic_jobs()

    def install_signal_handlers(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.stopping.is_set():
            # A second signal: give up on the current task (it is marked failed).
            raise SystemExit(1)
        logger.info(
            "%s received: finishing the current task, then stopping", signal.strsignal(signum)
        )
        self.stop()

    def stop(self) -> None:
        self.stopping.set()
        if self.batch is not None:
            self.batch.running = False

    def run_forever(self) -> None:
        jobs = ", ".join(job.name for job in registered_jobs()) or "none"
        logger.info(
            "Worker %s started: queues %s, periodic jobs: %s",
            self.worker_id,
            ",".join(self.queue_names) if self.runs_tasks else "(tasks not on the database)",
            jobs,
        )
        while not self.stopping.is_set() and not self._parent_gone():
            try:
                self.run_once()
                more_waiting = self.runs_tasks and self._tasks_waiting()
            except DatabaseError:
                # The database may be restarting; keep the worker alive and retry.
                logger.exception("Database error in the worker; retrying in %s s", self.interval)
                more_waiting = False
            if not more_waiting:
                self._sleep(self.interval)
        logger.info("Worker %s stopped", self.worker_id)

    def run_once(self) -> None:
        """Run up to one batch of queued tasks, then the periodic jobs that are due."""
        close_old_connections()
        if self.runs_tasks and not self.stopping.is_set():
            self.batch = Worker(
                queue_names=self.queue_names,
                interval=self.interval,
                batch=True,
                backend_name=DEFAULT_TASK_BACKEND_ALIAS,
                startup_delay=False,
                max_tasks=BATCH_SIZE,
                worker_id=self.worker_id,
                excluded_queue_names=[],
            )
            try:
                self.batch.run()
            finally:
                self.batch = None
        if not self.stopping.is_set():
            run_due_jobs(claim=PeriodicJobState.objects.claim)
        close_old_connections()

    def _tasks_waiting(self) -> bool:
        ready = DBTaskResult.objects.ready().filter(backend_name=DEFAULT_TASK_BACKEND_ALIAS)
        if "*" not in self.queue_names:
            ready = ready.filter(queue_name__in=self.queue_names)
        return ready.exists()

    def _sleep(self, seconds: float) -> None:
        """Wait, waking early when asked to stop or when the parent process has gone."""
        remaining = seconds
        while remaining > 0 and not self.stopping.is_set() and not self._parent_gone():
            self.stopping.wait(min(WAKE_SECONDS, remaining))
            remaining -= WAKE_SECONDS

    def _parent_gone(self) -> bool:
        # An orphan is adopted by init (or a subreaper), so its parent id changes.
        if self.parent_pid is None or os.getppid() == self.parent_pid:
            return False
        logger.warning("The parent process %s has gone; stopping", self.parent_pid)
        self.stop()
        return True
