import threading

import pytest
from django.conf import settings
from django.db import connection

from truedesk.accounts.models import User
from truedesk.cases.actions import (
    assign_case,
    change_status,
    open_case,
    take_case,
    transfer_case,
)
from truedesk.cases.errors import AlreadyOwned, InvalidInput, InvalidTransition, NotAllowed
from truedesk.cases.models import Case, CaseEvent, Transfer
from truedesk.testing.personas import build_world

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def _events(case, kind):
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def test_agent_takes_an_unowned_case_from_her_queue_and_it_opens(world, case):
    before = case.version
    take_case(acting_user=world.alice, case=case)
    assert case.owner == world.alice
    assert case.status == "open"
    assert case.version == before + 1
    [event] = _events(case, "case_taken")
    assert event.actor == world.alice
    assert event.data["owner"]["after"] == {"id": world.alice.pk, "name": "Alice Adams"}
    assert event.data["status"] == {"before": "new", "after": "open"}


def test_second_taker_is_told_who_has_the_case(world, case):
    stale_copy = Case.objects.get(pk=case.pk)
    take_case(acting_user=world.alice, case=case)
    with pytest.raises(AlreadyOwned) as error:
        take_case(acting_user=world.bob, case=stale_copy)
    assert error.value.owner_name == "Alice Adams"
    assert error.value.code == "already_owned"
    assert "Alice Adams" in error.value.message
    assert Case.objects.get(pk=case.pk).owner == world.alice
    assert len(_events(case, "case_taken")) == 1


def test_taking_a_case_one_already_owns_changes_nothing(world, case):
    take_case(acting_user=world.alice, case=case)
    version = case.version
    take_case(acting_user=world.alice, case=Case.objects.get(pk=case.pk))
    assert Case.objects.get(pk=case.pk).version == version


def test_agent_cannot_take_from_a_department_she_is_not_in(world, make_case):
    case = make_case(department=world.billing)
    with pytest.raises(NotAllowed):
        take_case(acting_user=world.alice, case=case)
    take_case(acting_user=world.bob, case=case)
    assert case.owner == world.bob


def test_supervisor_may_take_from_any_queue(world, make_case):
    case = make_case(department=world.billing)
    take_case(acting_user=world.carol, case=case)
    assert case.owner == world.carol


def test_cases_without_a_department_can_be_taken_by_any_agent(world, make_case):
    case = make_case(department=None)
    take_case(acting_user=world.alice, case=case)
    assert case.owner == world.alice


def test_customers_and_partners_cannot_take_cases(world, case):
    for user in (world.dave_user, world.erin):
        with pytest.raises(NotAllowed):
            take_case(acting_user=user, case=case)


def test_a_deactivated_agent_cannot_take_cases(world, case):
    world.alice.is_active = False
    world.alice.save()
    with pytest.raises(NotAllowed):
        take_case(acting_user=world.alice, case=case)


def test_a_resolved_case_cannot_be_taken(world, case):
    change_status(acting_user=world.alice, case=case, status="resolved")
    with pytest.raises(InvalidTransition):
        take_case(acting_user=world.alice, case=case)


def test_taking_cancels_a_supervisors_transfer_of_the_unowned_case(world, case):
    transfer = transfer_case(
        acting_user=world.carol,
        case=case,
        to_user=world.bob,
        reason="Needs Bob",
        handoff_note="Router model X",
    )
    take_case(acting_user=world.alice, case=case)
    transfer.refresh_from_db()
    assert transfer.status == "cancelled"
    assert case.owner == world.alice


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_agents_taking_the_same_case_at_once_exactly_one_wins():
    world = build_world()
    case = open_case(
        acting_user=world.alice,
        customer=world.dave,
        subject="Down",
        body="No signal",
        channel="phone",
        department=world.support,
    )
    if connection.vendor != "postgresql":
        # SQLite's in-memory test database cannot be shared by threads; assert
        # the conditional UPDATE that decides the race instead: both hold a copy
        # read while the case was unowned, only the first write lands.
        alices_copy, bobs_copy = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
        take_case(acting_user=world.alice, case=alices_copy)
        with pytest.raises(AlreadyOwned):
            take_case(acting_user=world.bob, case=bobs_copy)
        assert Case.objects.get(pk=case.pk).owner == world.alice
        return
    barrier = threading.Barrier(2)
    winners, losers, errors = [], [], []

    def take(user_id):
        try:
            user = User.objects.get(pk=user_id)
            copy = Case.objects.get(pk=case.pk)
            barrier.wait()
            take_case(acting_user=user, case=copy)
            winners.append(user.username)
        except AlreadyOwned as exc:
            losers.append(exc.owner_name)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u.pk,)) for u in (world.alice, world.bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(winners) == 1 and len(losers) == 1
    owner = Case.objects.select_related("owner").get(pk=case.pk).owner
    assert owner.username == winners[0]
    assert losers[0] == owner.display_name
    assert CaseEvent.objects.filter(case=case, kind="case_taken").count() == 1


def test_supervisor_assigns_an_unowned_case(world, case):
    assign_case(acting_user=world.carol, case=case, owner=world.bob)
    assert case.owner == world.bob
    assert case.status == "open"
    assert case.transfer_count == 0
    [event] = _events(case, "case_assigned")
    assert event.data["owner"]["before"] is None
    assert event.data["owner"]["after"]["id"] == world.bob.pk


def test_reassigning_an_owned_case_counts_as_a_hand_over_and_cancels_a_pending_transfer(
    world, case
):
    take_case(acting_user=world.alice, case=case)
    transfer = transfer_case(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="Shift ends",
        handoff_note="Waiting for the engineer",
    )
    assign_case(acting_user=world.carol, case=case, owner=world.carol)
    assert case.owner == world.carol
    assert case.transfer_count == 1
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.CANCELLED
    [event] = _events(case, "case_assigned")
    assert event.data["owner"]["before"]["id"] == world.alice.pk


def test_agents_cannot_assign(world, case):
    with pytest.raises(NotAllowed):
        assign_case(acting_user=world.alice, case=case, owner=world.bob)


def test_cases_are_assigned_only_to_active_staff(world, case):
    with pytest.raises(InvalidInput):
        assign_case(acting_user=world.carol, case=case, owner=world.dave_user)
    world.bob.is_active = False
    world.bob.save()
    with pytest.raises(InvalidInput):
        assign_case(acting_user=world.carol, case=case, owner=world.bob)


def test_assigning_to_the_current_owner_writes_nothing(world, case):
    assign_case(acting_user=world.carol, case=case, owner=world.bob)
    version = case.version
    assign_case(acting_user=world.carol, case=case, owner=world.bob)
    assert case.version == version
    assert len(_events(case, "case_assigned")) == 1
