"""Reads of the runaround guard: a case's guard state, sweep candidates, senior owners, the report.

Report selectors are for supervisors only (NotAllowed otherwise); the guard's
own reads run as the system and take no user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from truedesk.accounts.models import Department, User
from truedesk.cases import permissions
from truedesk.cases.models import Case
from truedesk.customers.models import ContactPoint, Customer
from truedesk.runaround.errors import InvalidPeriod, NotAllowed
from truedesk.runaround.guard import Baseline, Breach, Reading, Thresholds, evaluate_case, read_case
from truedesk.runaround.models import (
    DEFAULT_LIMITS,
    LIMIT_FIELDS,
    DepartmentRunaroundPolicy,
    GuardBaseline,
    Rescue,
    RunaroundPolicy,
    SeniorOwnerRule,
)

MAX_REPORT_DAYS = 2 * 366
SUPERVISOR_ROLES = (User.Role.SUPERVISOR, User.Role.ADMIN)


# --- the guard state of one case -----------------------------------------------------


@dataclass(frozen=True)
class GuardState:
    """A case with the thresholds that apply to it, the guard's baseline and its open rescue."""

    case: Case
    thresholds: Thresholds
    baseline: Baseline
    open_rescue_id: int | None

    def readings(self, now: datetime | None = None) -> list[Reading]:
        return read_case(
            case=self.case, thresholds=self.thresholds, baseline=self.baseline, now=now
        )

    def breaches(self, now: datetime | None = None) -> list[Breach]:
        return evaluate_case(
            case=self.case, thresholds=self.thresholds, baseline=self.baseline, now=now
        )

    def needs_rescue(self, now: datetime | None = None) -> bool:
        """Active, not rescued already, and over at least one threshold."""
        return (
            self.case.is_active
            and self.case.merged_into_id is None
            and self.open_rescue_id is None
            and bool(self.breaches(now))
        )


def _limit_annotations() -> dict[str, Any]:
    """Each threshold for the case's department: its override, else the company's, else default."""
    own = DepartmentRunaroundPolicy.objects.filter(department_id=OuterRef("department_id"))
    company = RunaroundPolicy.objects.filter(pk=RunaroundPolicy.SINGLETON_ID)
    annotations: dict[str, Any] = {
        f"guard_{field}": Coalesce(
            Subquery(own.values(field)[:1]),
            Subquery(company.values(field)[:1]),
            Value(DEFAULT_LIMITS[metric]),
            output_field=IntegerField(),
        )
        for metric, field in LIMIT_FIELDS.items()
    }
    annotations["guard_is_enabled"] = Coalesce(
        Subquery(own.values("is_enabled")[:1]),
        Subquery(company.values("is_enabled")[:1]),
        Value(True),
        output_field=BooleanField(),
    )
    return annotations


def _build_guarded_cases() -> QuerySet[Case]:
    open_rescue = Rescue.objects.filter(case_id=OuterRef("pk"), ended_at__isnull=True)
    return (
        Case.objects.select_related("runaround_baseline")
        .annotate(**_limit_annotations())
        .annotate(guard_open_rescue=Subquery(open_rescue.values("pk")[:1]))
    )


_GUARDED_CASES: QuerySet[Case] | None = None


def _guarded_cases() -> QuerySet[Case]:
    """Cases annotated with their thresholds and open rescue (a fresh, unevaluated clone).

    Resolving the dozen subqueries costs more than running the query, and the
    guard reads one case after every counting event, so the resolved queryset
    is built once per process; it holds no rows (only clones are evaluated), so
    policy changes are read by the next query as before.
    """
    global _GUARDED_CASES
    if _GUARDED_CASES is None:
        _GUARDED_CASES = _build_guarded_cases()
    return _GUARDED_CASES.all()


def _state_of(case: Case) -> GuardState:
    values: dict[str, Any] = case.__dict__
    thresholds = Thresholds(
        **{metric: int(values[f"guard_{field}"]) for metric, field in LIMIT_FIELDS.items()},
        enabled=bool(values["guard_is_enabled"]),
    )
    try:
        row: GuardBaseline | None = case.runaround_baseline
    except GuardBaseline.DoesNotExist:
        row = None
    baseline = (
        Baseline()
        if row is None
        else Baseline(
            contacts=row.contacts,
            staff=row.staff,
            transfers=row.transfers,
            customer_seconds=row.customer_seconds,
            since=row.since,
        )
    )
    return GuardState(
        case=case, thresholds=thresholds, baseline=baseline,
        open_rescue_id=values["guard_open_rescue"],
    )  # fmt: skip


def find_guard_state(case_id: int) -> GuardState | None:
    """The guard state of a case in one query; None when there is no such case."""
    case = _guarded_cases().filter(pk=case_id).first()
    return None if case is None else _state_of(case)


def find_open_rescue(case: Case) -> Rescue | None:
    """The case's open rescue with its new owner, or None."""
    return (
        Rescue.objects.select_related("new_owner", "customer_email")
        .filter(case=case, ended_at__isnull=True)
        .first()
    )


# --- what the sweep looks at ----------------------------------------------------------------


def _company_policy_values() -> dict[str, Any]:
    row = (
        RunaroundPolicy.objects.filter(pk=RunaroundPolicy.SINGLETON_ID)
        .values("is_enabled", *LIMIT_FIELDS.values())
        .first()
    )
    if row is None:
        return {"is_enabled": True, **{LIMIT_FIELDS[m]: v for m, v in DEFAULT_LIMITS.items()}}
    return row


def days_open_limits() -> dict[int | None, int]:
    """Days-open limit per department id (None: no department); guard-off ones left out."""
    company = _company_policy_values()
    overrides: dict[int | None, dict[str, Any]] = {
        row["department_id"]: dict(row)
        for row in DepartmentRunaroundPolicy.objects.values(
            "department_id", "is_enabled", "max_days_open"
        )
    }
    limits: dict[int | None, int] = {}
    for department_id in [None, *Department.objects.values_list("pk", flat=True)]:
        own = overrides.get(department_id, {})
        enabled = own.get("is_enabled")
        if not (company["is_enabled"] if enabled is None else enabled):
            continue
        limits[department_id] = own.get("max_days_open") or company["max_days_open"]
    return limits


def _not_rescued() -> Q:
    return ~Q(Exists(Rescue.objects.filter(case_id=OuterRef("pk"), ended_at__isnull=True)))


def list_cases_open_too_long(*, now: datetime, batch: int = 100) -> list[int]:
    """Ids of active, unrescued cases open longer than their department's days-open limit.

    One query per department on the (department, status, created_at) index.
    """
    found: list[int] = []
    for department_id, days in days_open_limits().items():
        cutoff = now - timedelta(days=days)
        rows = (
            Case.objects.filter(
                Q(department__isnull=True)
                if department_id is None
                else Q(department_id=department_id),
                status__in=Case.ACTIVE_STATUSES,
                created_at__lt=cutoff,
                merged_into__isnull=True,
            )
            .filter(_not_rescued())
            .filter(Q(runaround_baseline__isnull=True) | Q(runaround_baseline__since__lt=cutoff))
            .order_by("created_at")
            .values_list("pk", flat=True)[:batch]
        )
        found.extend(rows)
    return found


def list_recent_cases_over_counters(*, since: datetime, batch: int = 200) -> list[int]:
    """Ids of active, unrescued cases changed since `since` whose counters went over a limit.

    The backstop for a rescue task that was lost; reads the `case_updated` index.
    """
    cases = _guarded_cases().filter(
        updated_at__gte=since,
        status__in=Case.ACTIVE_STATUSES,
        merged_into__isnull=True,
        # Annotations of _guarded_cases(), named through a dict for the type checker.
        **{"guard_open_rescue__isnull": True, "guard_is_enabled": True},
    )
    found = []
    for case in cases.order_by("-updated_at")[: batch * 5]:
        if _state_of(case).needs_rescue():
            found.append(case.pk)
    return found[:batch]


# --- who takes a rescued case ---------------------------------------------------------------


@dataclass(frozen=True)
class SeniorChoice:
    owner: User
    chosen_by: str
    direct_phone: str = ""


def _least_busy(users: QuerySet[User], exclude_id: int | None) -> User | None:
    ranked = users.filter(kind=User.Kind.STAFF, is_active=True).annotate(
        active_cases=Count("owned_cases", filter=Q(owned_cases__status__in=Case.ACTIVE_STATUSES))
    )
    others = ranked.exclude(pk=exclude_id) if exclude_id else ranked
    # The current owner takes it back only when nobody else can.
    return others.order_by("active_cases", "pk").first() or ranked.order_by("pk").first()


def _from_rules(case: Case) -> SeniorChoice | None:
    rules = SeniorOwnerRule.objects.filter(
        is_active=True, senior__is_active=True, senior__kind=User.Kind.STAFF
    )
    own = rules.filter(department_id=case.department_id) if case.department_id else rules.none()
    for candidates in (own, rules.filter(department__isnull=True)):
        seniors = User.objects.filter(pk__in=candidates.values("senior_id"))
        chosen = _least_busy(seniors, case.owner_id)
        if chosen is not None:
            phone = candidates.filter(senior=chosen).values_list("direct_phone", flat=True)
            return SeniorChoice(chosen, Rescue.ChosenBy.RULE, phone.first() or "")
    return None


def find_senior_owner(case: Case) -> SeniorChoice | None:
    """Who takes the case: a senior named by rule, else the department's least busy supervisor.

    Without those, the company's least busy supervisor; None when nobody is left.
    The current owner is chosen only when there is nobody else.
    """
    by_rule = _from_rules(case)
    if by_rule is not None:
        return by_rule
    supervisors = User.objects.filter(role__in=SUPERVISOR_ROLES)
    pools = [supervisors.filter(role=User.Role.SUPERVISOR), supervisors]
    if case.department_id:
        pools.insert(0, supervisors.filter(departments=case.department_id))
    for pool in pools:
        chosen = _least_busy(pool, case.owner_id)
        if chosen is not None:
            return SeniorChoice(chosen, Rescue.ChosenBy.FALLBACK)
    return None


def find_direct_phone(user: User, department_id: int | None) -> str:
    """The direct number a senior owner rule gives for this person, or ''."""
    rules = SeniorOwnerRule.objects.filter(senior=user, is_active=True).exclude(direct_phone="")
    preferred = rules.filter(Q(department_id=department_id) | Q(department__isnull=True))
    row = preferred.order_by("department_id").values_list("direct_phone", flat=True).first()
    return row or ""


def list_senior_candidates() -> QuerySet[User]:
    """People a supervisor may choose as senior owner: seniors named by rules and supervisors."""
    named = SeniorOwnerRule.objects.filter(is_active=True).values("senior_id")
    return User.objects.filter(
        Q(pk__in=named) | Q(role__in=SUPERVISOR_ROLES), kind=User.Kind.STAFF, is_active=True
    ).order_by("first_name", "last_name", "username")


def list_supervisors_to_notify(department_id: int | None) -> list[User]:
    """The case's department's supervisors; every supervisor when it has none or no department."""
    supervisors = User.objects.filter(
        kind=User.Kind.STAFF, is_active=True, role=User.Role.SUPERVISOR
    ).order_by("pk")
    if department_id is not None:
        own = list(supervisors.filter(departments=department_id))
        if own:
            return own
    return list(supervisors)


def find_customer_email(customer: Customer) -> str:
    """Where to email the customer: primary working address, any working one, his login's."""
    address = (
        ContactPoint.objects.filter(
            customer=customer, kind=ContactPoint.Kind.EMAIL, is_failing=False
        )
        .order_by("-is_primary", "pk")
        .values_list("value", flat=True)
        .first()
    )
    if address:
        return address
    if customer.user_id is not None and customer.user is not None:
        return customer.user.email or ""
    return ""


# --- the rescue report ------------------------------------------------------------------------


def _require_supervisor(user: Any) -> None:
    if not permissions.is_supervisor(user):
        raise NotAllowed()


def _check_period(since: datetime, until: datetime) -> None:
    if until <= since or until - since > timedelta(days=MAX_REPORT_DAYS):
        raise InvalidPeriod()


def list_rescues(
    user: Any, *, since: datetime, until: datetime, department: Department | None = None
) -> QuerySet[Rescue]:
    """Rescues in [since, until), newest first, optionally of one department; supervisors only."""
    _require_supervisor(user)
    _check_period(since, until)
    rescues = Rescue.objects.filter(rescued_at__gte=since, rescued_at__lt=until)
    if department is not None:
        rescues = rescues.filter(department=department)
    return rescues.select_related(
        "case", "case__customer", "department", "new_owner", "previous_owner", "decided_by",
        "ended_by", "customer_email",
    ).order_by("-rescued_at", "-pk")  # fmt: skip


def rescues_per_100_cases(
    since: datetime, until: datetime, department: Department | None = None
) -> float | None:
    """Rescues in [since, until) per 100 cases opened in it; None when no case was opened."""
    _check_period(since, until)
    cases = Case.objects.filter(created_at__gte=since, created_at__lt=until)
    rescues = Rescue.objects.filter(rescued_at__gte=since, rescued_at__lt=until)
    if department is not None:
        cases = cases.filter(department=department)
        rescues = rescues.filter(department=department)
    opened = cases.count()
    if not opened:
        return None
    return round(100 * rescues.count() / opened, 1)


def contacts_per_resolved_case(
    since: datetime, until: datetime, department: Department | None = None
) -> float | None:
    """Mean contacts of cases resolved in [since, until), merged ones left out; None if none."""
    _check_period(since, until)
    resolved = Case.objects.filter(
        resolved_at__gte=since, resolved_at__lt=until, merged_into__isnull=True
    )
    if department is not None:
        resolved = resolved.filter(department=department)
    totals = resolved.aggregate(cases=Count("pk"), contacts=Sum("contact_count"))
    if not totals["cases"]:
        return None
    return round(totals["contacts"] / totals["cases"], 1)


def get_company_thresholds() -> Thresholds:
    """The company's thresholds (the defaults when the row is missing)."""
    row = _company_policy_values()
    return Thresholds(
        **{metric: int(row[field]) for metric, field in LIMIT_FIELDS.items()},
        enabled=bool(row["is_enabled"]),
    )
