"""Reads the desk needs beyond the domain selectors: choices, queue counts, returning badges."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from truedesk.accounts.models import Department, User
from truedesk.cases.models import Case, Transfer


def list_transfer_receivers(user: User) -> QuerySet[User]:
    """Active staff a case can be handed to: everyone on staff but the user, by name."""
    return (
        User.objects.filter(kind=User.Kind.STAFF, is_active=True)
        .exclude(pk=user.pk)
        .order_by("first_name", "last_name", "username")
    )


def list_open_departments() -> QuerySet[Department]:
    """Departments that take cases (inactive ones are closed for good), by name."""
    return Department.objects.filter(is_active=True).order_by("name")


def list_queue_departments(user: User) -> list[Department]:
    """The user's active departments, each annotated with `waiting`: its unowned active cases."""
    waiting = Count(
        "cases",
        filter=Q(cases__owner__isnull=True, cases__status__in=Case.ACTIVE_STATUSES),
    )
    return list(
        Department.objects.filter(members=user, is_active=True)
        .annotate(waiting=waiting)
        .order_by("name")
    )


def count_unrouted_cases() -> int:
    """Active cases with neither owner nor department: the general queue any agent takes from."""
    return Case.objects.filter(
        owner__isnull=True, department__isnull=True, status__in=Case.ACTIVE_STATUSES
    ).count()


def find_department(slug: str) -> Department | None:
    """The active department with this short name, or None."""
    return Department.objects.filter(slug=slug, is_active=True).first()


def list_pending_transfers_sent(user: User) -> list[Transfer]:
    """Unexpired transfers the user asked for and nobody has answered yet, oldest first."""
    return list(
        Transfer.objects.filter(
            from_user=user, status=Transfer.Status.PENDING, expires_at__gt=timezone.now()
        )
        .select_related("case", "case__customer", "to_user", "to_department")
        .order_by("expires_at", "id")
    )


def list_unrouted_cases(limit: int = 200) -> list[Case]:
    """The general queue: unowned active cases without a department, most urgent then oldest."""
    return list(
        Case.objects.filter(
            owner__isnull=True, department__isnull=True, status__in=Case.ACTIVE_STATUSES
        )
        .select_related("customer", "organisation", "department", "owner")
        .prefetch_related("tags")
        .order_by("-priority", "-severity", "created_at", "id")[:limit]
    )


def count_cases_per_customer(customer_ids: Iterable[int]) -> dict[int, int]:
    """Lifetime cases per customer in one query; merged duplicates are not counted.

    Mirrors cases.customer_history.Recognition: a customer with more than one
    case is a returning customer.
    """
    ids = {int(pk) for pk in customer_ids}
    if not ids:
        return {}
    rows = (
        Case.objects.filter(customer_id__in=ids, merged_into__isnull=True)
        .values("customer_id")
        .annotate(total=Count("pk"))
        .values_list("customer_id", "total")
    )
    return {customer_id: total for customer_id, total in rows}
