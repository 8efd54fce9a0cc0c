"""Background work for cases, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from truedesk.cases.actions import expire_transfers


def run_expire_transfers() -> int:
    """Expire overdue transfers now; returns how many (for schedulers that call plain functions)."""
    return expire_transfers()


@task()
def expire_transfers_task() -> int:
    """Periodic sweep: unanswered transfers past their deadline return to the sender."""
    return run_expire_transfers()
