import pytest

from truedesk.cases.actions import change_status, take_case, transfer_case
from truedesk.cases.errors import InvalidInput, InvalidTransition, NotAllowed, StaleVersion
from truedesk.cases.models import Case, CaseEvent


def test_resolving_sets_resolved_at_and_records_the_change(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    assert case.status == "resolved"
    assert case.resolved_at is not None
    event = CaseEvent.objects.get(case=case, kind="status_changed")
    assert event.data == {"status": {"before": "new", "after": "resolved"}}
    assert event.actor == world.alice


def test_closing_is_possible_only_from_resolved(world, case):
    with pytest.raises(InvalidTransition):
        change_status(acting_user=world.alice, case=case, status="closed")
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")
    assert case.closed_at is not None


def test_a_closed_case_stays_closed(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")
    for status in ("open", "resolved", "new"):
        with pytest.raises(InvalidTransition):
            change_status(acting_user=world.alice, case=case, status=status)


def test_reopening_a_resolved_case_clears_resolved_at(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="open")
    assert case.resolved_at is None


def test_nothing_goes_back_to_new(world, case):
    change_status(acting_user=world.alice, case=case, status="open")
    with pytest.raises(InvalidTransition):
        change_status(acting_user=world.alice, case=case, status="new")


def test_the_same_status_again_is_a_no_op(world, case):
    change_status(acting_user=world.alice, case=case, status="open")
    version = case.version
    change_status(acting_user=world.alice, case=case, status="open")
    assert case.version == version
    assert CaseEvent.objects.filter(case=case, kind="status_changed").count() == 1


def test_unknown_status_is_invalid_input(world, case):
    with pytest.raises(InvalidInput):
        change_status(acting_user=world.alice, case=case, status="on_fire")


def test_a_stale_version_is_refused(world, case):
    stale = case.version
    change_status(acting_user=world.alice, case=case, status="open")
    with pytest.raises(StaleVersion):
        change_status(
            acting_user=world.alice,
            case=Case.objects.get(pk=case.pk),
            status="resolved",
            expected_version=stale,
        )


def test_closing_cancels_a_waiting_transfer(world, case):
    take_case(acting_user=world.alice, case=case)
    transfer = transfer_case(
        acting_user=world.alice, case=case, to_user=world.bob, reason="r", handoff_note="n"
    )
    change_status(acting_user=world.alice, case=case, status="resolved")
    change_status(acting_user=world.alice, case=case, status="closed")
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"


def test_customers_and_outsiders_cannot_change_status(world, make_case):
    case = make_case(department=world.billing)
    for user in (world.dave_user, world.alice, world.erin):
        with pytest.raises(NotAllowed):
            change_status(acting_user=user, case=case, status="resolved")
