"""Background routing, run by the django-tasks worker."""

from __future__ import annotations

from django_tasks import task

from truedesk.cases.models import Case


@task()
def route_case_task(case_id: int) -> str:
    """Route a newly opened unowned case (queued after the commit that opened it)."""
    from truedesk.routing.actions import route_case

    case = Case.objects.filter(pk=case_id).first()
    if case is None:
        return "skipped"
    return route_case(case=case)


@task()
def route_new_cases_task() -> dict[str, int]:
    """Route the cases that entered routing and were never tried (queued as they open)."""
    from truedesk.routing.actions import route_new_cases

    return route_new_cases()


@task()
def dispatch_task() -> dict[str, int]:
    """An agent may have become free: offer the hold queue, head first."""
    from truedesk.routing.actions import route_waiting

    return route_waiting()
