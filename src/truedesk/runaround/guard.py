"""The guard's arithmetic: a case's five runaround readings against its thresholds (pure).

A reading is over its limit when it goes beyond it: with the default of 3
contacts the fourth contact crosses. Minutes and days count started units, so
60 minutes and 1 second of the customer's time is 61 minutes, and a case open
for 5 days and an hour has been open 6 days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from truedesk.cases.models import Case
from truedesk.runaround.models import DEFAULT_LIMITS, Metric

DAY_SECONDS = 24 * 60 * 60


@dataclass(frozen=True)
class Thresholds:
    """The limits that apply to one case (its department's, else the company's)."""

    contacts: int = DEFAULT_LIMITS[Metric.CONTACTS]
    staff: int = DEFAULT_LIMITS[Metric.STAFF]
    transfers: int = DEFAULT_LIMITS[Metric.TRANSFERS]
    customer_minutes: int = DEFAULT_LIMITS[Metric.CUSTOMER_MINUTES]
    days_open: int = DEFAULT_LIMITS[Metric.DAYS_OPEN]
    enabled: bool = True

    def limit(self, metric: str) -> int:
        return int(getattr(self, metric))


@dataclass(frozen=True)
class Baseline:
    """Counter values the guard subtracts: zero from the opening, the counters at a reset after."""

    contacts: int = 0
    staff: int = 0
    transfers: int = 0
    customer_seconds: int = 0
    since: datetime | None = None


@dataclass(frozen=True)
class Reading:
    """One gauge: a metric's value for the case against its limit."""

    metric: str
    value: int
    limit: int

    @property
    def is_over(self) -> bool:
        return self.value > self.limit

    @property
    def is_at_limit(self) -> bool:
        return self.value == self.limit

    @property
    def label(self) -> str:
        return str(Metric(self.metric).label)

    def as_dict(self) -> dict[str, int | str]:
        return {"metric": self.metric, "value": self.value, "limit": self.limit}


# A reading that went over its limit.
Breach = Reading


def _started(amount: float, unit: float) -> int:
    return max(0, math.ceil(amount / unit))


def read_case(
    *,
    case: Case,
    thresholds: Thresholds,
    baseline: Baseline | None = None,
    now: datetime | None = None,
) -> list[Reading]:
    """The case's five readings in Metric order: contacts, staff, transfers, minutes, days."""
    base = baseline or Baseline()
    since = base.since or case.created_at
    moment = now or timezone.now()
    # A resolved or closed case stopped its clock when it stopped being active.
    until = moment if case.is_active else (case.resolved_at or case.closed_at or moment)
    open_for: timedelta = until - since
    values = {
        Metric.CONTACTS: case.contact_count - base.contacts,
        Metric.STAFF: case.staff_touched_count - base.staff,
        Metric.TRANSFERS: case.transfer_count - base.transfers,
        Metric.CUSTOMER_MINUTES: _started(case.customer_seconds - base.customer_seconds, 60),
        Metric.DAYS_OPEN: _started(open_for.total_seconds(), DAY_SECONDS),
    }
    return [
        Reading(metric=str(metric), value=max(0, value), limit=thresholds.limit(metric))
        for metric, value in values.items()
    ]


def evaluate_case(
    *,
    case: Case,
    thresholds: Thresholds | None = None,
    baseline: Baseline | None = None,
    now: datetime | None = None,
) -> list[Breach]:
    """The readings over their limit (none when the guard is off); no database access."""
    limits = thresholds or Thresholds()
    if not limits.enabled:
        return []
    readings = read_case(case=case, thresholds=limits, baseline=baseline, now=now)
    return [reading for reading in readings if reading.is_over]


def describe_breaches(breaches: list[dict[str, Any]]) -> str:
    """Stored breaches as "Contacts 4 (limit 3); Transfers 3 (limit 2)" in the active language."""
    parts = []
    for breach in breaches:
        try:
            label = Metric(str(breach.get("metric"))).label
        except ValueError:
            continue
        parts.append(
            _("%(metric)s %(value)s (limit %(limit)s)")
            % {"metric": label, "value": breach.get("value"), "limit": breach.get("limit")}
        )
    return "; ".join(parts)
