"""Tasks queued for rows of a transaction exist only if that transaction commits."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from truedesk.channels.email.tasks import process_inbound_task
from truedesk.lib.enqueue import enqueue_with_transaction


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
