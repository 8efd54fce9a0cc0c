"""The periodic sweep: days open grows with time alone, and lost rescue tasks are caught up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from truedesk.cases.actions import change_status
from truedesk.lib.periodic import registered_jobs
from truedesk.runaround import periodic
from truedesk.runaround.actions import sweep_runaround
from truedesk.runaround.models import DepartmentRunaroundPolicy, Rescue

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _open_case_on_monday(make_case, world, **kwargs):
    with time_machine.travel(MONDAY, tick=False):
        case = make_case(**kwargs)
    return case


def test_a_case_open_longer_than_the_limit_is_rescued_by_the_sweep(world, make_case, sam):
    case = _open_case_on_monday(make_case, world)
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        assert sweep_runaround() == 0
    with time_machine.travel(MONDAY + timedelta(days=5, minutes=5), tick=False):
        assert sweep_runaround() == 1
        assert sweep_runaround() == 0
    rescue = Rescue.objects.get(case=case)
    assert rescue.breaches == [{"metric": "days_open", "value": 6, "limit": 5}]
    assert rescue.new_owner == sam


def test_a_departments_own_limit_applies_and_its_switch_is_respected(world, make_case, sam):
    DepartmentRunaroundPolicy.objects.create(department=world.support, max_days_open=2)
    DepartmentRunaroundPolicy.objects.create(department=world.billing, is_enabled=False)
    support = _open_case_on_monday(make_case, world)
    billing = _open_case_on_monday(make_case, world, department=world.billing)
    unrouted = _open_case_on_monday(make_case, world, department=None)
    with time_machine.travel(MONDAY + timedelta(days=3), tick=False):
        sweep_runaround()
    assert set(Rescue.objects.values_list("case_id", flat=True)) == {support.pk}
    with time_machine.travel(MONDAY + timedelta(days=6), tick=False):
        sweep_runaround()
    assert set(Rescue.objects.values_list("case_id", flat=True)) == {support.pk, unrouted.pk}
    assert not Rescue.objects.filter(case=billing).exists()


def test_resolved_cases_are_left_alone(world, make_case, sam):
    case = _open_case_on_monday(make_case, world)
    change_status(acting_user=world.alice, case=case, status="resolved")
    with time_machine.travel(MONDAY + timedelta(days=9), tick=False):
        assert sweep_runaround() == 0


def test_the_sweep_catches_a_crossing_whose_rescue_task_was_lost(world, case, sam, reply):
    reply(case, times=3)  # no on-commit callbacks run here: the task was never queued
    assert sweep_runaround() == 1
    assert Rescue.objects.get().breaches[0]["metric"] == "contacts"


def test_the_sweep_is_a_registered_periodic_job():
    jobs = {job.name: job for job in registered_jobs()}
    assert jobs["runaround.sweep"].func is periodic.sweep_runaround_job
    assert jobs["runaround.sweep"].every == timedelta(minutes=5)
