"""Background work of the runaround guard, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from truedesk.runaround.actions import guard_case


@task()
def rescue_case_task(case_id: int) -> int | None:
    """Rescue the case if it is still over a threshold and unrescued; returns the rescue id."""
    rescue = guard_case(case_id=case_id)
    return None if rescue is None else rescue.pk
