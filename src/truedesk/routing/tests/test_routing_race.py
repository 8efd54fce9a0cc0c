"""Two workers at once: a case is routed once, an agent's last free slot is handed out once.

On PostgreSQL real threads with their own connections race through a barrier
(like the periodic-claim race test); SQLite's in-memory test database cannot be
shared by threads, so there the same steps run one after the other with copies
read before either wrote.
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from truedesk.cases.models import Case, CaseEvent
from truedesk.routing.actions import Outcome, enrol_case, route_item
from truedesk.routing.tests.conftest import available, capacity, new_case
from truedesk.testing.personas import build_world

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _race(item_ids: list[int]) -> tuple[list[str], list[Exception]]:
    barrier = threading.Barrier(len(item_ids))
    outcomes: list[str] = []
    errors: list[Exception] = []

    def work(item_id: int) -> None:
        try:
            barrier.wait()
            outcomes.append(route_item(item_id=item_id))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(pk,)) for pk in item_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes, errors


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_workers_routing_the_same_case_assign_it_once():
    world = build_world()
    available(world.alice, world.bob)
    case = new_case(world)
    item = enrol_case(case=case)
    if connection.vendor != "postgresql":
        assert route_item(item_id=item.pk) == Outcome.ROUTED
        assert route_item(item_id=item.pk) == Outcome.SKIPPED
    else:
        outcomes, errors = _race([item.pk, item.pk])
        assert errors == []
        assert sorted(outcomes) == [Outcome.ROUTED, Outcome.SKIPPED]
    assert CaseEvent.objects.filter(case=case, kind="case_routed").count() == 1
    assert CaseEvent.objects.filter(case=case, kind="case_assigned").count() == 1


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_workers_never_give_one_agent_more_calls_than_her_capacity():
    world = build_world()
    world.bob.is_active = False
    world.bob.save()
    capacity(world.alice, "phone", 1)
    available(world.alice)
    cases = [new_case(world, channel="phone", subject=f"Call {n}") for n in range(2)]
    items = [enrol_case(case=case) for case in cases]
    if connection.vendor != "postgresql":
        outcomes = [route_item(item_id=item.pk) for item in items]
    else:
        outcomes, errors = _race([item.pk for item in items])
        assert errors == []
    assert sorted(outcomes) == [Outcome.HELD, Outcome.ROUTED]
    owned = Case.objects.filter(owner=world.alice, status__in=["new", "open"]).count()
    assert owned == 1
