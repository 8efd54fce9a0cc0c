"""Background work of the promise ledger, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from truedesk.promises.actions import process_due_promises


@task()
def process_due_promises_task() -> dict[str, int]:
    """Run the due sweep now (the periodic job does this every minute); returns its counts."""
    result = process_due_promises()
    return {"reminded": result.reminded, "missed": result.missed, "followed_up": result.followed_up}
