"""How cases reach the engine: the after-commit task, freed capacity, the periodic sweep."""

from __future__ import annotations

import pytest

from truedesk.cases.actions import change_status
from truedesk.cases.models import CaseEvent
from truedesk.lib import periodic
from truedesk.routing.actions import Outcome, route_case, sweep
from truedesk.routing.models import RoutingItem
from truedesk.routing.tests.conftest import available, capacity, new_case

pytestmark = pytest.mark.usefixtures("clock")


def test_a_new_unowned_case_is_routed_after_its_commit(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    available(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(world)
    case.refresh_from_db()
    assert case.owner == world.alice
    assert CaseEvent.objects.filter(case=case, kind="case_routed").count() == 1


def test_a_case_opened_with_an_owner_never_enters_routing(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    from truedesk.cases.actions import open_case

    available(world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(
            acting_user=world.alice,
            customer=world.dave,
            subject="Called in",
            body="Line noise.",
            channel="phone",
            department=world.support,
            owner=world.alice,
        )
    assert not RoutingItem.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert case.owner == world.alice


def test_resolving_a_case_frees_the_slot_and_the_next_held_case_goes_there(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    capacity(world.alice, "phone", 1)
    available(world.alice)
    first = new_case(world, channel="phone")
    second = new_case(world, channel="phone")
    assert route_case(case=first) == Outcome.ROUTED
    assert route_case(case=second) == Outcome.HELD

    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(acting_user=world.alice, case=first, status="resolved")
    second.refresh_from_db()
    assert second.owner == world.alice


def test_becoming_available_routes_the_waiting_head(
    world, immediate_tasks, django_capture_on_commit_callbacks
):
    case = new_case(world)
    assert route_case(case=case) == Outcome.HELD
    with django_capture_on_commit_callbacks(execute=True):
        available(world.bob)
    case.refresh_from_db()
    assert case.owner == world.bob


def test_the_sweep_catches_a_case_whose_task_was_lost_and_is_registered(world):
    available(world.alice)
    case = new_case(world)  # no commit in this test: the queued task never ran
    assert not RoutingItem.objects.filter(case=case).exists()

    counts = sweep()

    assert counts["enrolled"] == 1 and counts["routed"] == 1
    case.refresh_from_db()
    assert case.owner == world.alice
    periodic.discover_periodic_jobs()
    assert "routing.sweep" in {job.name for job in periodic.registered_jobs()}
