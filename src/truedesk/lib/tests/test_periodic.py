from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from truedesk.lib import periodic
from truedesk.lib.periodic import register_periodic, registered_jobs, run_due_jobs
from truedesk.web.models import PeriodicJobState

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
claim = PeriodicJobState.objects.claim


@pytest.fixture(autouse=True)
def empty_registry():
    """An empty periodic-job registry for the test; the apps' jobs come back afterwards."""
    # Discover first: an app's periodic module registers its jobs only on its
    # first import, which must not land in the throwaway registry.
    periodic.discover_periodic_jobs()
    saved = dict(periodic._registry)
    periodic._registry.clear()
    yield
    periodic._registry.clear()
    periodic._registry.update(saved)


class Calls:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def test_a_new_job_runs_at_once_and_then_once_per_interval(db):
    sweep = Calls()
    register_periodic("sweep", timedelta(minutes=1), sweep)

    assert run_due_jobs(claim=claim, now=NOON) == ["sweep"]
    assert run_due_jobs(claim=claim, now=NOON + timedelta(seconds=59)) == []
    assert run_due_jobs(claim=claim, now=NOON + timedelta(seconds=60)) == ["sweep"]
    assert sweep.count == 2
    assert PeriodicJobState.objects.get(name="sweep").last_run_at == NOON + timedelta(seconds=60)


def test_a_second_worker_waking_at_the_same_moment_does_not_run_the_job_again(db):
    sweep = Calls()
    register_periodic("sweep", timedelta(minutes=5), sweep)

    first = run_due_jobs(claim=claim, now=NOON)
    second = run_due_jobs(claim=claim, now=NOON + timedelta(milliseconds=3))

    assert (first, second) == (["sweep"], [])
    assert sweep.count == 1


def test_each_job_keeps_its_own_interval(db):
    fast, slow = Calls(), Calls()
    register_periodic("fast", timedelta(minutes=1), fast)
    register_periodic("slow", timedelta(hours=1), slow)

    for minute in range(0, 61, 1):
        run_due_jobs(claim=claim, now=NOON + timedelta(minutes=minute))

    assert (fast.count, slow.count) == (61, 2)


def test_a_failing_job_is_logged_and_the_others_still_run(db, caplog):
    after = Calls()

    def broken() -> None:
        raise RuntimeError("mail server unreachable")

    register_periodic("a-broken", timedelta(minutes=1), broken)
    register_periodic("b-after", timedelta(minutes=1), after)

    with caplog.at_level(logging.ERROR, logger="truedesk.lib.periodic"):
        ran = run_due_jobs(claim=claim, now=NOON)

    assert ran == ["b-after"]
    assert after.count == 1
    assert "Periodic job a-broken failed" in caplog.text
    assert "mail server unreachable" in caplog.text


def test_a_failed_job_waits_for_its_next_interval_instead_of_retrying_in_a_loop(db):
    attempts = Calls()

    def broken() -> None:
        attempts()
        raise RuntimeError("still broken")

    register_periodic("broken", timedelta(minutes=10), broken)
    run_due_jobs(claim=claim, now=NOON)
    run_due_jobs(claim=claim, now=NOON + timedelta(minutes=1))

    assert attempts.count == 1


@pytest.mark.django_db(transaction=True)
def test_many_workers_claiming_together_run_the_job_once():
    workers = 6
    claim(name="sweep", every=timedelta(minutes=1), now=NOON - timedelta(hours=1))
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database locks whole tables and refuses, rather
        # than waits for, a concurrent writer; real concurrency is tested on
        # PostgreSQL, and here the claims race one after the other.
        results = [
            claim(name="sweep", every=timedelta(minutes=1), now=NOON) for _ in range(workers)
        ]
        assert sorted(results) == [False] * (workers - 1) + [True]
        return
    start = threading.Barrier(workers)
    results = []

    def worker() -> None:
        start.wait()
        try:
            results.append(claim(name="sweep", every=timedelta(minutes=1), now=NOON))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * (workers - 1) + [True]


def test_registering_another_function_under_a_taken_name_is_an_error():
    register_periodic("sweep", timedelta(minutes=1), Calls())

    with pytest.raises(ValueError, match="already registered"):
        register_periodic("sweep", timedelta(minutes=1), Calls())


def test_registering_the_same_function_again_is_harmless():
    sweep = Calls()
    register_periodic("sweep", timedelta(minutes=1), sweep)
    register_periodic("sweep", timedelta(minutes=1), sweep)

    assert [job.name for job in registered_jobs()] == ["sweep"]


@pytest.mark.parametrize("every", [timedelta(0), timedelta(seconds=-5)])
def test_an_interval_must_be_positive(every):
    with pytest.raises(ValueError, match="positive interval"):
        register_periodic("sweep", every, Calls())
