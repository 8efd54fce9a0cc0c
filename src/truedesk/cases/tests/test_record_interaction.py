from datetime import timedelta

import pytest
from django.utils import timezone

from truedesk.cases.actions import change_status, record_interaction
from truedesk.cases.errors import InvalidInput, NotAllowed
from truedesk.cases.models import CaseEvent, Interaction


def _call(world, case, **overrides):
    start = timezone.now() - timedelta(minutes=20)
    values = dict(
        acting_user=world.alice,
        case=case,
        channel="phone",
        direction="inbound",
        body="Customer called about the router",
        handled_by=world.bob,
        started_at=start,
        ended_at=start + timedelta(minutes=15),
        customer_seconds=900,
        external_id="call-1",
    )
    values.update(overrides)
    return record_interaction(**values)


def test_a_logged_call_updates_the_runaround_counters(world, case):
    call = _call(world, case)
    assert call.handled_by == world.bob and call.channel == "phone"
    case.refresh_from_db()
    assert case.contact_count == 2
    assert case.customer_seconds == 900
    assert case.staff_touched_count == 2
    assert case.last_customer_activity_at is not None
    event = CaseEvent.objects.get(case=case, kind="interaction_recorded")
    assert event.data["interaction_id"] == call.pk


def test_the_same_external_id_twice_records_one_call(world, case):
    first = _call(world, case)
    version = case.version
    again = _call(world, case)
    assert again.pk == first.pk
    assert Interaction.objects.filter(case=case).count() == 2
    case.refresh_from_db()
    assert case.version == version
    assert case.contact_count == 2


def test_an_inbound_call_reopens_a_resolved_case(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    _call(world, case)
    assert case.status == "open"


def test_an_internal_call_is_hidden_and_not_a_contact(world, case):
    call = _call(world, case, direction="internal", external_id="")
    assert call.is_internal
    case.refresh_from_db()
    assert case.contact_count == 1


def test_a_call_handled_by_the_ivr_has_no_staff(world, case):
    _call(world, case, handled_by=None)
    case.refresh_from_db()
    assert case.staff_touched_count == 1


def test_calls_are_recorded_even_on_closed_cases_without_reopening(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")
    _call(world, case)
    assert case.status == "closed"


@pytest.mark.parametrize(
    "overrides",
    [
        {"direction": "sideways"},
        {"customer_seconds": -1},
        {"handled_by": "customer"},
        {"channel": "telegraph"},
    ],
)
def test_bad_calls_are_refused(world, case, overrides):
    if overrides.get("handled_by") == "customer":
        overrides = {"handled_by": world.dave_user}
    with pytest.raises(InvalidInput):
        _call(world, case, **overrides)


def test_customers_cannot_log_calls(world, case):
    with pytest.raises(NotAllowed):
        _call(world, case, acting_user=world.dave_user)
