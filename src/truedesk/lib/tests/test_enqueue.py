"""Tasks queued for rows of a transaction exist only if that transaction commits; drains."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from truedesk.channels.email.tasks import process_inbound_batch_task, process_inbound_task
from truedesk.lib.enqueue import drains_requested_together, enqueue_with_transaction, request_drain

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _queue() -> None:
    process_inbound_task.enqueue(123)


@pytest.mark.django_db
def test_the_task_commits_with_the_transaction():
    with transaction.atomic():
        enqueue_with_transaction(_queue)
    assert DBTaskResult.objects.filter(args_kwargs__args=[123]).count() == 1


@pytest.mark.django_db
def test_a_rolled_back_transaction_leaves_no_task():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_with_transaction(_queue)
        raise RuntimeError("the rows were not stored")
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_failing_queue_is_logged_and_the_transaction_goes_on(caplog):
    def broken() -> None:
        DBTaskResult.objects.create(pk=None, task_path=None)  # violates NOT NULL

    with transaction.atomic():
        enqueue_with_transaction(broken)
        enqueue_with_transaction(_queue)
    assert "could not queue a task" in caplog.text
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_another_backend_is_called_only_after_the_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    called = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            enqueue_with_transaction(lambda: called.append(1))
        assert called == []
    for callback in callbacks:
        callback()
    assert called == [1]


# --- drains: one waiting run serves every writer (decision 0032) ----------------------


def _drain_runs(status: str = "READY") -> int:
    return DBTaskResult.objects.filter(
        task_path=process_inbound_batch_task.module_path, status=status
    ).count()


@pytest.mark.django_db
def test_a_waiting_drain_run_is_reused_by_later_writers():
    for _writer in range(3):
        with transaction.atomic():
            request_drain(process_inbound_batch_task)
    assert _drain_runs() == 1


@pytest.mark.django_db
def test_a_run_already_started_gets_a_successor_for_rows_it_may_not_see():
    with transaction.atomic():
        request_drain(process_inbound_batch_task)
    DBTaskResult.objects.update(status="RUNNING")
    with transaction.atomic():
        request_drain(process_inbound_batch_task)
    assert (_drain_runs("RUNNING"), _drain_runs()) == (1, 1)


@pytest.mark.django_db
def test_a_rolled_back_writer_leaves_no_drain_run():
    with pytest.raises(RuntimeError), transaction.atomic():
        request_drain(process_inbound_batch_task)
        raise RuntimeError("the rows were not stored")
    assert _drain_runs() == 0


@pytest.mark.django_db
def test_requests_made_together_queue_one_run_at_the_end():
    with drains_requested_together(), transaction.atomic():
        for _row in range(5):
            request_drain(process_inbound_batch_task)
        assert _drain_runs() == 0  # noted, not yet requested
    assert _drain_runs() == 1


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_a_worker_cannot_start_a_reused_run_before_the_writer_commits():
    """The writer locks the waiting run; a worker's claim (SKIP LOCKED) passes it by until then."""
    with transaction.atomic():
        request_drain(process_inbound_batch_task)  # the run some earlier writer queued
    if connection.vendor != "postgresql":
        # SQLite: the writer's IMMEDIATE transaction holds the database's write
        # lock, so a worker's claim (a write) cannot even start before the commit.
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    locked = threading.Event()
    release = threading.Event()

    def writer() -> None:
        try:
            with transaction.atomic():
                request_drain(process_inbound_batch_task)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            assert DBTaskResult.objects.ready().get_locked() is None
    finally:
        release.set()
        thread.join()
    with transaction.atomic():
        claimed = DBTaskResult.objects.ready().get_locked()
    assert claimed is not None and claimed.task_path == process_inbound_batch_task.module_path
    assert _drain_runs() == 1  # reused, not duplicated
