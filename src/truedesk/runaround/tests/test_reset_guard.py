"""reset_guard: a supervisor ends a rescue and the guard counts again from that moment."""

from __future__ import annotations

import pytest

from truedesk.cases.models import CaseEvent, EventKind
from truedesk.runaround.actions import guard_case, reset_guard
from truedesk.runaround.errors import NoOpenRescue, NotAllowed
from truedesk.runaround.models import GuardBaseline, Rescue
from truedesk.runaround.selectors import find_guard_state


@pytest.fixture
def rescued(world, case, sam, reply):
    reply(case, times=3)
    rescue = guard_case(case_id=case.pk)
    assert rescue is not None
    return rescue


def test_a_reset_ends_the_rescue_and_the_guard_counts_from_now(world, case, rescued, reply):
    reset_guard(acting_user=world.carol, case=case)
    rescued.refresh_from_db()
    assert rescued.ended_at is not None and rescued.ended_by == world.carol
    state = find_guard_state(case.pk)
    assert state.open_rescue_id is None
    assert [r.value for r in state.readings()][:3] == [0, 0, 0]
    event = CaseEvent.objects.get(case=case, kind=EventKind.GUARD_RESET)
    assert event.actor == world.carol


def test_after_a_reset_the_same_metric_rescues_again_only_when_crossed_again(
    world, case, rescued, reply
):
    reset_guard(acting_user=world.carol, case=case)
    reply(case, times=3)
    assert guard_case(case_id=case.pk) is None
    reply(case)
    second = guard_case(case_id=case.pk)
    assert second is not None and second.pk != rescued.pk
    assert second.breaches == [{"metric": "contacts", "value": 4, "limit": 3}]
    assert Rescue.objects.filter(ended_at__isnull=True).count() == 1


def test_while_rescued_the_guard_leaves_the_case_alone(case, rescued, reply):
    reply(case, times=10)
    assert guard_case(case_id=case.pk) is None
    assert Rescue.objects.count() == 1


def test_only_supervisors_reset_and_only_an_open_rescue(world, case, rescued):
    with pytest.raises(NotAllowed):
        reset_guard(acting_user=world.alice, case=case)
    reset_guard(acting_user=world.carol, case=case)
    with pytest.raises(NoOpenRescue):
        reset_guard(acting_user=world.carol, case=case)
    assert GuardBaseline.objects.get(case=case).reset_by == world.carol
