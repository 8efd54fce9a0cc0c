"""Reads of the promise ledger, scoped to who asks: staff see every promise, a customer his own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.cases import permissions
from truedesk.cases.models import Case
from truedesk.customers.models import ContactPoint, Customer
from truedesk.promises.errors import InvalidInput, NotAllowed, NotFound
from truedesk.promises.models import Promise, PromiseSettings

Status = Promise.Status
# Outcomes that count in the kept rate; a renegotiated promise is neither kept
# nor failed: its successor counts instead.
DECIDED = (Status.KEPT, Status.MISSED, Status.BROKEN)
DUE_TODAY_LIMIT = 100
OPEN_FOR_CUSTOMER_LIMIT = 100


def get_promise_settings() -> PromiseSettings:
    """The ledger's settings row, or an unsaved row with the defaults when none was saved."""
    return PromiseSettings.objects.filter(key=1).first() or PromiseSettings()


def get_promise_for_user(user: object, promise_id: int) -> Promise:
    """The promise if the user may see its case; NotFound otherwise (never revealing it)."""
    promise = (
        Promise.objects.select_related(
            "case", "case__customer", "owner", "made_by", "replaced_by", "replaces"
        )
        .filter(pk=promise_id)
        .first()
    )
    if promise is None or not permissions.can_view_case(user, promise.case):
        raise NotFound()
    return promise


def list_promises_for_case(user: object, case: Case) -> list[Promise]:
    """Every promise on the case, soonest due first; staff see all cases, a customer his own."""
    if not permissions.can_view_case(user, case):
        raise NotFound()
    return list(
        Promise.objects.filter(case=case)
        .select_related("case", "owner", "made_by", "replaced_by__owner", "replaces")
        .order_by("due_at", "pk")
    )


def _day_bounds(user: User, moment: datetime) -> tuple[datetime, datetime]:
    """Start and end of the user's calendar day around `moment`, in his own time zone."""
    try:
        zone = ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    today = timezone.localtime(moment, zone).date()
    start = datetime.combine(today, time.min, tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def list_promises_due_today(user: object, *, now: datetime | None = None) -> list[Promise]:
    """The staff member's open promises due by the end of his day (overdue ones too), and
    those of his that were missed today; soonest first. Empty for anyone but staff."""
    if not permissions.is_staff(user):
        return []
    assert isinstance(user, User)
    start, end = _day_bounds(user, now or timezone.now())
    due = Q(status=Status.OPEN, due_at__lt=end) | Q(
        status=Status.MISSED, due_at__gte=start, due_at__lt=end
    )
    return list(
        Promise.objects.filter(due, owner=user)
        .select_related("case", "case__customer", "replaced_by")
        .order_by("due_at", "pk")[:DUE_TODAY_LIMIT]
    )


def list_open_promises_for_user(user: object) -> list[Promise]:
    """Open promises that concern the user: a staff member's own, a customer's on his cases."""
    if permissions.is_staff(user):
        assert isinstance(user, User)
        rows = Promise.objects.filter(owner=user, status=Status.OPEN)
    else:
        own = permissions.customer_id_of(user)
        if own is None:
            return []
        rows = Promise.objects.filter(case__customer_id=own, status=Status.OPEN)
    return list(
        rows.select_related("case", "owner", "made_by", "replaces").order_by("due_at", "pk")[
            :OPEN_FOR_CUSTOMER_LIMIT
        ]
    )


def list_open_promises_for_customer(user: object) -> list[Promise]:
    """The signed-in customer's open promises on all his cases (with the missed ones they
    replace), soonest first; empty for anyone but a customer."""
    if permissions.customer_id_of(user) is None:
        return []
    return list_open_promises_for_user(user)


def list_open_promises_of(customer: Customer) -> list[Promise]:
    """Every open promise to this customer, for messages addressed to the customer himself."""
    return list(
        Promise.objects.filter(case__customer=customer, status=Status.OPEN)
        .select_related("case", "owner")
        .order_by("due_at", "pk")[:OPEN_FOR_CUSTOMER_LIMIT]
    )


def find_customer_email(customer: Customer) -> str | None:
    """The address to write to: the primary working email, else any working one, else None."""
    point = (
        ContactPoint.objects.filter(
            customer=customer, kind=ContactPoint.Kind.EMAIL, is_failing=False
        )
        .order_by("-is_primary", "pk")
        .first()
    )
    return point.value if point else None


def list_possible_owners(case: Case) -> QuerySet[User]:
    """Active staff who may own a promise on the case (those who may work it), by name."""
    staff = User.objects.filter(kind=User.Kind.STAFF, is_active=True)
    if case.department_id is not None:
        # A subquery instead of a join: no duplicate rows, so no DISTINCT over the whole
        # user row (the case page renders this list on every view).
        members = Department.members.through.objects.filter(
            department_id=case.department_id
        ).values("user_id")
        staff = staff.filter(
            Q(role__in=(User.Role.SUPERVISOR, User.Role.ADMIN))
            | Q(pk__in=members)
            | Q(pk=case.owner_id or 0)
        )
    return staff.order_by("first_name", "last_name", "username")


def list_supervisors_for(case: Case) -> list[User]:
    """Active supervisors of the case's department; when it has none, every active supervisor."""
    supervisors = User.objects.filter(
        kind=User.Kind.STAFF, role=User.Role.SUPERVISOR, is_active=True
    ).order_by("pk")
    if case.department_id is not None:
        own = list(supervisors.filter(departments=case.department_id))
        if own:
            return own
    return list(supervisors)


@dataclass(frozen=True)
class KeptRate:
    """Of the promises that fell due in a period and were decided, how many were kept in time."""

    key: int | None
    name: str
    made: int
    kept: int

    @property
    def rate(self) -> float | None:
        return self.kept / self.made if self.made else None


GROUPINGS = {"agent": "owner", "department": "case__department"}


def promise_kept_rate(user: object, *, by: str, since: datetime, until: datetime) -> list[KeptRate]:
    """Kept rate per agent (the owner) or per department, for promises due in [since, until).

    `made` counts promises decided as kept, missed or broken; `kept` those kept
    by their due time. Renegotiated promises count through their successor.
    Supervisors only.
    """
    if not permissions.is_supervisor(user):
        raise NotAllowed()
    field = GROUPINGS.get(by)
    if field is None:
        raise InvalidInput(_("Group by agent or by department."), field="by")
    rows = (
        Promise.objects.filter(due_at__gte=since, due_at__lt=until, status__in=DECIDED)
        .values(field)
        .annotate(
            made=Count("pk"),
            kept=Count("pk", filter=Q(status=Status.KEPT, kept_at__lte=F("due_at"))),
        )
        .order_by(field)
    )
    keys = [row[field] for row in rows]
    if by == "agent":
        names = {u.pk: u.display_name for u in User.objects.filter(pk__in=keys)}
    else:
        names = dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    return [
        KeptRate(
            key=row[field],
            name=names.get(row[field], "") or str(_("No department")),
            made=row["made"],
            kept=row["kept"],
        )
        for row in rows
    ]
