"""The guard's arithmetic on cases that need no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from truedesk.cases.models import Case
from truedesk.runaround.guard import Baseline, Thresholds, describe_breaches, evaluate_case

OPENED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _case(**counters: int) -> Case:
    return Case(status=Case.Status.OPEN, created_at=OPENED, **counters)


def _metrics(case: Case, now: datetime = OPENED, **kwargs: object) -> list[str]:
    return [breach.metric for breach in evaluate_case(case=case, now=now, **kwargs)]


def test_a_fresh_case_crosses_nothing():
    assert _metrics(_case(contact_count=1, staff_touched_count=1)) == []


@pytest.mark.parametrize(
    ("counters", "metric"),
    [
        ({"contact_count": 4}, "contacts"),
        ({"staff_touched_count": 4}, "staff"),
        ({"transfer_count": 3}, "transfers"),
        ({"customer_seconds": 60 * 60 + 1}, "customer_minutes"),
    ],
)
def test_going_over_a_default_limit_is_a_breach(counters, metric):
    assert _metrics(_case(**counters)) == [metric]


@pytest.mark.parametrize(
    "counters",
    [
        {"contact_count": 3},
        {"staff_touched_count": 3},
        {"transfer_count": 2},
        {"customer_seconds": 60 * 60},
    ],
)
def test_reaching_a_default_limit_is_not_yet_a_breach(counters):
    assert _metrics(_case(**counters)) == []


def test_a_case_open_longer_than_five_days_is_a_breach_and_five_days_exactly_is_not():
    case = _case()
    assert _metrics(case, now=OPENED + timedelta(days=5)) == []
    assert _metrics(case, now=OPENED + timedelta(days=5, seconds=1)) == ["days_open"]


def test_the_seed_case_crosses_every_threshold_and_says_by_how_much():
    # Seed 003: 22 calls, 50+ employees, 12 hours on the phone, five days and more.
    case = _case(contact_count=22, staff_touched_count=50, transfer_count=9,
                 customer_seconds=12 * 3600)  # fmt: skip
    breaches = evaluate_case(case=case, now=OPENED + timedelta(days=5, hours=2))
    assert [(b.metric, b.value, b.limit) for b in breaches] == [
        ("contacts", 22, 3),
        ("staff", 50, 3),
        ("transfers", 9, 2),
        ("customer_minutes", 720, 60),
        ("days_open", 6, 5),
    ]
    assert describe_breaches([b.as_dict() for b in breaches[:2]]) == (
        "Contacts 22 (limit 3); Staff involved 50 (limit 3)"
    )


def test_other_thresholds_replace_the_defaults():
    strict = Thresholds(contacts=1, staff=10, transfers=10, customer_minutes=600, days_open=30)
    assert _metrics(_case(contact_count=2), thresholds=strict) == ["contacts"]
    assert _metrics(_case(staff_touched_count=4), thresholds=strict) == []


def test_a_switched_off_guard_reports_nothing():
    off = Thresholds(enabled=False)
    assert _metrics(_case(contact_count=40), thresholds=off) == []


def test_after_a_reset_the_guard_counts_from_the_baseline():
    reset_at = OPENED + timedelta(days=4)
    baseline = Baseline(contacts=10, staff=5, transfers=3, customer_seconds=3600, since=reset_at)
    case = _case(contact_count=13, staff_touched_count=6, transfer_count=3, customer_seconds=4000)
    assert _metrics(case, now=reset_at + timedelta(days=2), baseline=baseline) == []
    case.contact_count = 14
    assert _metrics(case, now=reset_at + timedelta(days=2), baseline=baseline) == ["contacts"]


def test_the_clock_of_a_resolved_case_stops_when_it_was_resolved():
    case = _case()
    case.status = Case.Status.RESOLVED
    case.resolved_at = OPENED + timedelta(days=1)
    assert _metrics(case, now=OPENED + timedelta(days=30)) == []
