"""The guard's reads: thresholds per department, who takes a case, the report's numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from truedesk.cases.actions import change_status, merge_cases
from truedesk.runaround import selectors
from truedesk.runaround.actions import rescue_case
from truedesk.runaround.errors import InvalidPeriod, NotAllowed
from truedesk.runaround.guard import Reading, Thresholds
from truedesk.runaround.models import DepartmentRunaroundPolicy, RunaroundPolicy

MARCH = datetime(2026, 3, 1, tzinfo=UTC)
APRIL = datetime(2026, 4, 1, tzinfo=UTC)


def test_the_company_policy_starts_with_the_issue_defaults(db):
    # The migration creates the row; a flushing test may have removed it since.
    RunaroundPolicy.objects.get_or_create(pk=RunaroundPolicy.SINGLETON_ID)
    assert selectors.get_company_thresholds() == Thresholds(
        contacts=3, staff=3, transfers=2, customer_minutes=60, days_open=5, enabled=True
    )


def test_a_case_gets_its_departments_override_and_the_company_limits_otherwise(
    world, make_case, limits
):
    limits(max_contacts=5, max_transfers=4)
    DepartmentRunaroundPolicy.objects.create(department=world.support, max_contacts=8)
    support = selectors.find_guard_state(make_case().pk)
    billing = selectors.find_guard_state(make_case(department=world.billing).pk)
    assert (support.thresholds.contacts, support.thresholds.transfers) == (8, 4)
    assert (billing.thresholds.contacts, billing.thresholds.transfers) == (5, 4)


def test_without_the_company_row_the_defaults_apply(world, make_case):
    RunaroundPolicy.objects.all().delete()
    assert selectors.find_guard_state(make_case().pk).thresholds == Thresholds()


def test_the_guard_state_of_a_case_is_one_query(case, django_assert_num_queries):
    with django_assert_num_queries(1):
        state = selectors.find_guard_state(case.pk)
        state.readings()
    assert selectors.find_guard_state(10**9) is None


def test_senior_candidates_are_the_named_seniors_and_the_supervisors(world, sam):
    assert list(selectors.list_senior_candidates()) == [world.carol, sam]


def _rescue(case, metric="contacts"):
    return rescue_case(case=case, breaches=[Reading(metric=metric, value=9, limit=3)])


def test_rescues_per_100_cases_counts_the_period_and_department(world, make_case, sam):
    with time_machine.travel(MARCH + timedelta(days=3), tick=False):
        cases = [make_case() for _index in range(3)] + [make_case(department=world.billing)]
        _rescue(cases[0])
    with time_machine.travel(APRIL + timedelta(days=3), tick=False):
        make_case()
    assert selectors.rescues_per_100_cases(MARCH, APRIL) == 25.0
    assert selectors.rescues_per_100_cases(MARCH, APRIL, world.support) == 33.3
    assert selectors.rescues_per_100_cases(MARCH, APRIL, world.billing) == 0.0
    assert selectors.rescues_per_100_cases(MARCH - timedelta(days=30), MARCH) is None


def test_contacts_per_resolved_case_averages_cases_resolved_in_the_period(world, make_case, reply):
    with time_machine.travel(MARCH + timedelta(days=3), tick=False):
        first, second, merged, open_one = (make_case() for _index in range(4))
        reply(first, times=3)  # 4 contacts
        reply(open_one, times=9)
        for case in (first, second):
            change_status(acting_user=world.alice, case=case, status="resolved")
        merge_cases(acting_user=world.alice, source=merged, target=second)  # second: 2
        change_status(acting_user=world.alice, case=second, status="resolved")
    assert selectors.contacts_per_resolved_case(MARCH, APRIL) == 3.0
    assert selectors.contacts_per_resolved_case(MARCH, APRIL, world.billing) is None


def test_the_report_is_for_supervisors_and_sane_periods(world):
    with pytest.raises(NotAllowed):
        selectors.list_rescues(world.alice, since=MARCH, until=APRIL)
    with pytest.raises(NotAllowed):
        selectors.list_rescues(world.dave_user, since=MARCH, until=APRIL)
    with pytest.raises(InvalidPeriod):
        selectors.list_rescues(world.carol, since=APRIL, until=MARCH)
    with pytest.raises(InvalidPeriod):
        selectors.rescues_per_100_cases(MARCH, MARCH + timedelta(days=800))


def test_the_guard_reads_thresholds_changed_after_its_first_look(world, make_case, limits):
    # The guard keeps its query per process; the thresholds still come from the database.
    case = make_case()
    limits(max_contacts=5)
    assert selectors.find_guard_state(case.pk).thresholds.contacts == 5
    limits(max_contacts=9)
    DepartmentRunaroundPolicy.objects.create(department=world.support, max_transfers=7)
    state = selectors.find_guard_state(case.pk)
    assert (state.thresholds.contacts, state.thresholds.transfers) == (9, 7)
