"""Reads of SLA policies and clocks: the state of a case, badges for lists, attainment.

Staff see the SLA state of every case, a customer of his own cases only
(others: NotFound, existence never revealed). List pages get every row's
clocks in one query (`sla_states_for_cases`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.accounts.models import Department, User
from truedesk.cases import permissions
from truedesk.cases.errors import InvalidInput, NotAllowed, NotFound
from truedesk.cases.models import Case
from truedesk.sla import clocks, wording
from truedesk.sla.models import Metric, SlaClock, SlaPolicy

# --- policies --------------------------------------------------------------------------


def list_active_policies() -> list[SlaPolicy]:
    """Every active policy, most specific first is decided by match_policy (one query)."""
    return list(SlaPolicy.objects.filter(is_active=True).order_by("order", "pk"))


def _matches(policy: SlaPolicy, priority: int | None, kind: str, tier: str) -> bool:
    return (
        (policy.priority is None or policy.priority == priority)
        and (not policy.case_kind or policy.case_kind == kind)
        and (not policy.customer_tier or policy.customer_tier == tier)
    )


def match_policy(
    policies: Iterable[SlaPolicy], *, priority: int | None, kind: str, tier: str
) -> SlaPolicy | None:
    """The active policy for a case: the most criteria matched wins, then the lowest order."""
    candidates = [p for p in policies if p.is_active and _matches(p, priority, kind, tier)]
    if not candidates:
        return None
    return min(candidates, key=lambda p: (-p.specificity, p.order, p.pk or 0))


def find_policy_for_case(case: Case) -> SlaPolicy | None:
    """The policy that would apply to the case as it is now (two queries)."""
    return match_policy(
        list_active_policies(),
        priority=case.priority,
        kind=case.kind,
        tier=case.customer.tier,
    )


# --- people to tell ------------------------------------------------------------------------


def _supervisors() -> QuerySet[User]:
    return User.objects.filter(
        kind=User.Kind.STAFF,
        role__in=(User.Role.SUPERVISOR, User.Role.ADMIN),
        is_active=True,
    ).order_by("pk")


def list_supervisors_for(case: Case) -> list[User]:
    """Active supervisors of the case's department; without any, every active supervisor."""
    if case.department_id is not None:
        own = list(_supervisors().filter(departments=case.department_id))
        if own:
            return own
    return list(_supervisors().filter(role=User.Role.SUPERVISOR)) or list(_supervisors())


def find_least_loaded_supervisor(case: Case) -> User | None:
    """Of the case's supervisors, the one owning the fewest active cases (then the lowest id)."""
    candidates = [user.pk for user in list_supervisors_for(case)]
    if not candidates:
        return None
    return (
        User.objects.filter(pk__in=candidates)
        .annotate(load=Count("owned_cases", filter=Q(owned_cases__status__in=Case.ACTIVE_STATUSES)))
        .order_by("load", "pk")
        .first()
    )


# --- clock states --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockState:
    """One clock as people see it. `remaining` is business time: negative when overdue,
    frozen while paused and once stopped."""

    clock_id: int
    metric: str
    cycle: int
    policy_name: str
    started_at: datetime
    due_at: datetime
    remaining: timedelta
    paused: bool
    stopped_at: datetime | None
    met: bool | None
    breached: bool
    warning: bool

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)

    @property
    def running(self) -> bool:
        return self.stopped_at is None and not self.paused

    @property
    def overdue(self) -> bool:
        return self.stopped_at is None and not self.paused and self.remaining <= timedelta(0)

    @property
    def tone(self) -> str:
        """good, warn, bad or plain (paused, running) — always shown with words too."""
        if self.stopped_at is not None:
            return {True: "good", False: "bad"}.get(self.met, "plain")  # type: ignore[arg-type]
        if self.paused:
            return "plain"
        if self.overdue or self.breached:
            return "bad"
        return "warn" if self.warning else "plain"

    @property
    def text(self) -> str:
        """The badge's words: "2 h 10 min left", "overdue by 35 min", "paused — waiting on
        customer", "met", "missed"."""
        if self.stopped_at is not None:
            if self.met is None:
                return _("stopped")
            return _("met") if self.met else _("missed")
        if self.paused:
            return _("paused — waiting on customer")
        if self.remaining <= timedelta(0):
            return _("overdue by %(time)s") % {"time": wording.business_duration(-self.remaining)}
        return _("%(time)s left") % {"time": wording.business_duration(self.remaining)}


def clock_state(clock: SlaClock, *, now: datetime) -> ClockState:
    """The state of one clock at `now` (its calendar must be loaded: select_related)."""
    calendar = clocks.calendar_value(clock.calendar)
    left = clocks.remaining(clock, calendar, now)
    running = clock.stopped_at is None and clock.paused_at is None
    warning = bool(
        running and left > timedelta(0) and clock.warn_at is not None and clock.warn_at <= now
    )
    return ClockState(
        clock_id=clock.pk,
        metric=clock.metric,
        cycle=clock.cycle,
        policy_name=clock.policy_name,
        started_at=clock.started_at,
        due_at=clock.due_at,
        remaining=left,
        paused=clock.paused_at is not None and clock.stopped_at is None,
        stopped_at=clock.stopped_at,
        met=clock.met,
        breached=clock.breached_at is not None,
        warning=warning,
    )


def _latest_per_metric(rows: Iterable[SlaClock]) -> list[SlaClock]:
    latest: dict[str, SlaClock] = {}
    for clock in rows:
        latest.setdefault(clock.metric, clock)
    order = {metric: index for index, metric in enumerate(Metric.values)}
    return sorted(latest.values(), key=lambda clock: order[clock.metric])


def get_sla_state(user: object, case: Case, *, now: datetime | None = None) -> list[ClockState]:
    """The newest clock of each metric on the case (first response, next response,
    resolution); staff for any case, a customer for his own; NotFound otherwise. One query."""
    if not permissions.can_view_case(user, case):
        raise NotFound()
    rows = (
        SlaClock.objects.filter(case=case).select_related("calendar").order_by("-started_at", "-pk")
    )
    moment = now or timezone.now()
    return [clock_state(clock, now=moment) for clock in _latest_per_metric(rows)]


def sla_states_for_cases(
    cases: Sequence[Case] | Iterable[Case], *, now: datetime | None = None
) -> dict[int, list[ClockState]]:
    """The unstopped clocks of each case, most urgent first, keyed by case id: one query
    for the whole list. Cases without an unstopped clock are absent. For staff lists."""
    ids = [case.pk for case in cases]
    if not ids:
        return {}
    moment = now or timezone.now()
    rows = (
        SlaClock.objects.filter(case_id__in=ids, stopped_at__isnull=True)
        .select_related("calendar")
        .order_by("due_at", "pk")
    )
    states: dict[int, list[ClockState]] = {}
    for clock in rows:
        states.setdefault(clock.case_id, []).append(clock_state(clock, now=moment))
    for case_states in states.values():
        # Running clocks before paused ones: what needs doing comes first.
        case_states.sort(key=lambda state: (state.paused, state.remaining))
    return states


# --- attainment -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attainment:
    """Of the clocks due in a period whose outcome is known, how many were met."""

    key: int | None
    name: str
    met: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.met / self.total if self.total else None


GROUPINGS = {"department": "case__department", "priority": "case__priority", "policy": "policy"}


def _group_names(by: str, keys: list[int | None]) -> dict[int | None, str]:
    known = [key for key in keys if key is not None]
    names: dict[int | None, str] = {}
    if by == "priority":
        names.update({key: str(Case.Priority(key).label) for key in known})
    elif by == "department":
        names.update(Department.objects.filter(pk__in=known).values_list("pk", "name"))
        names[None] = str(_("No department"))
    else:
        names.update(SlaPolicy.objects.filter(pk__in=known).values_list("pk", "name"))
        names[None] = str(_("Deleted policy"))
    return names


def sla_attainment(
    user: object,
    *,
    since: datetime,
    until: datetime,
    by: str = "department",
    metric: str | None = None,
) -> list[Attainment]:
    """Met / total / rate per department, priority or policy for clocks due in [since, until).

    A clock counts once decided: stopped with a verdict, or breached (a miss
    even while it still runs). Optionally one metric only. Supervisors only.
    """
    if not permissions.is_supervisor(user):
        raise NotAllowed()
    field = GROUPINGS.get(by)
    if field is None:
        raise InvalidInput(_("Group by department, priority or policy."), field="by")
    rows = SlaClock.objects.filter(due_at__gte=since, due_at__lt=until).filter(
        Q(met__isnull=False) | Q(breached_at__isnull=False)
    )
    if metric is not None:
        if metric not in Metric.values:
            raise InvalidInput(_("Unknown metric."), field="metric")
        rows = rows.filter(metric=metric)
    grouped = (
        rows.values(field)
        .annotate(total=Count("pk"), met=Count("pk", filter=Q(met=True)))
        .order_by(field)
    )
    names = _group_names(by, [row[field] for row in grouped])
    return [
        Attainment(
            key=row[field],
            name=names.get(row[field], str(row[field])),
            met=row["met"],
            total=row["total"],
        )
        for row in grouped
    ]
