"""Reads the desk needs beyond the domain selectors: choices, queue counts, returning badges."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class QueueCount:
    """A department and how many unowned active cases wait in its queue."""

    department: Department
    waiting: int


@dataclass(frozen=True)
class QueuePicker:
    """The user's departments with their waiting cases, and the general queue's count."""

    queues: list[QueueCount]
    unrouted: int

    def waiting_in(self, department: Department) -> int:
        return next((q.waiting for q in self.queues if q.department.pk == department.pk), 0)


def count_waiting_cases() -> dict[int | None, int]:
    """Unowned active cases per department id (None: not routed yet), in one query.

    Grouping the few waiting cases, found through the (owner, status) index,
    costs a millisecond; counting per department through a join read every case.
    """
    rows = (
        Case.objects.filter(owner__isnull=True, status__in=Case.ACTIVE_STATUSES)
        .order_by()
        .values("department_id")
        .annotate(waiting=Count("pk"))
        .values_list("department_id", "waiting")
    )
    return dict(rows)


def get_queue_picker(user: User) -> QueuePicker:
    """The user's active departments by name with their waiting counts: two queries."""
    departments = Department.objects.filter(members=user, is_active=True).order_by("name")
    waiting = count_waiting_cases()
    return QueuePicker(
        queues=[QueueCount(department=d, waiting=waiting.get(d.pk, 0)) for d in departments],
        unrouted=waiting.get(None, 0),
    )


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


def list_unrouted_cases() -> QuerySet[Case]:
    """The general queue: unowned active cases without a department, most urgent then oldest."""
    return (
        Case.objects.filter(
            owner__isnull=True, department__isnull=True, status__in=Case.ACTIVE_STATUSES
        )
        .select_related("customer")
        .order_by("-priority", "-severity", "created_at", "id")
    )


def count_cases_per_customer(customer_ids: Iterable[int]) -> dict[int, int]:
    """Lifetime cases per customer in one query; merged duplicates are not counted.

    Mirrors cases.customer_history.Recognition: a customer with more than one
    case is a returning customer.
    """
    ids = {int(pk) for pk in customer_ids}
    if not ids:
        return {}
    # "Not merged" is counted, not filtered: as a WHERE term SQLite answered it
    # through the merged_into index, i.e. by reading every case.
    rows = (
        Case.objects.filter(customer_id__in=ids)
        .order_by()
        .values("customer_id")
        .annotate(total=Count("pk", filter=Q(merged_into__isnull=True)))
        .values_list("customer_id", "total")
    )
    return {customer_id: total for customer_id, total in rows if total}
