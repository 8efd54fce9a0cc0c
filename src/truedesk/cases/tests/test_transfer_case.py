import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils import timezone

from truedesk.cases.actions import (
    accept_transfer,
    cancel_transfer,
    change_status,
    decline_transfer,
    expire_transfers,
    open_case,
    take_case,
    transfer_case,
)
from truedesk.cases.errors import InvalidTransfer, NotAllowed, TransferNotPending
from truedesk.cases.models import Case, CaseEvent, Transfer
from truedesk.cases.tasks import expire_transfers_task, run_expire_transfers
from truedesk.testing.personas import build_world

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture
def owned(world, case):
    take_case(acting_user=world.alice, case=case)
    return case


def _transfer(world, case, **overrides):
    values = dict(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="Needs billing knowledge",
        handoff_note="Dave was charged twice in March; refund not yet issued.",
    )
    values.update(overrides)
    return transfer_case(**values)


def _kinds(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))


def test_a_transfer_waits_and_the_owner_keeps_the_case_meanwhile(world, owned):
    transfer = _transfer(world, owned)
    assert transfer.status == "pending"
    assert transfer.from_user == world.alice
    assert transfer.expires_at == transfer.created_at + timedelta(hours=4)
    stored = Case.objects.get(pk=owned.pk)
    assert stored.owner == world.alice
    assert stored.transfer_count == 0
    event = CaseEvent.objects.get(case=owned, kind="transfer_requested")
    assert event.data["reason"] == "Needs billing knowledge"
    assert event.data["to_user"]["id"] == world.bob.pk
    assert "charged twice" in event.data["handoff_note"]


def test_accepting_makes_the_receiver_owner_and_counts_one_hand_over(world, owned):
    transfer = _transfer(world, owned, to_department=world.billing)
    accept_transfer(acting_user=world.bob, transfer=transfer)
    case = Case.objects.get(pk=owned.pk)
    assert case.owner == world.bob
    assert case.department == world.billing
    assert case.transfer_count == 1
    assert transfer.status == "accepted" and transfer.responded_by == world.bob
    event = CaseEvent.objects.get(case=owned, kind="transfer_accepted")
    assert event.data["owner"]["before"]["id"] == world.alice.pk
    assert event.data["owner"]["after"]["id"] == world.bob.pk
    assert event.data["department"]["after"]["name"] == "Billing"


def test_a_department_transfer_is_accepted_by_any_member(world, owned):
    transfer = _transfer(world, owned, to_user=None, to_department=world.billing)
    with pytest.raises(NotAllowed):
        accept_transfer(acting_user=world.alice, transfer=transfer)
    accept_transfer(acting_user=world.carol, transfer=transfer)
    assert Case.objects.get(pk=owned.pk).owner == world.carol


def test_only_the_receiver_may_answer(world, owned):
    transfer = _transfer(world, owned)
    for user in (world.carol, world.alice, world.dave_user, world.erin):
        with pytest.raises(NotAllowed):
            accept_transfer(acting_user=user, transfer=transfer)
        with pytest.raises(NotAllowed):
            decline_transfer(acting_user=user, transfer=transfer, note="no")


def test_declining_returns_the_case_to_the_sender_who_never_lost_it(world, owned):
    transfer = _transfer(world, owned)
    decline_transfer(acting_user=world.bob, transfer=transfer, note="I am not in billing today")
    case = Case.objects.get(pk=owned.pk)
    assert case.owner == world.alice
    assert case.transfer_count == 0
    assert transfer.status == "declined"
    assert transfer.response_note == "I am not in billing today"
    event = CaseEvent.objects.get(case=owned, kind="transfer_declined")
    assert event.data["owner"]["id"] == world.alice.pk
    assert event.data["note"] == "I am not in billing today"


def test_a_declined_supervisor_transfer_of_an_unowned_case_goes_to_the_supervisor(world, case):
    transfer = _transfer(world, case, acting_user=world.carol)
    decline_transfer(acting_user=world.bob, transfer=transfer, note="Busy")
    assert Case.objects.get(pk=case.pk).owner == world.carol


def test_declining_needs_a_reason(world, owned):
    transfer = _transfer(world, owned)
    with pytest.raises(InvalidTransfer):
        decline_transfer(acting_user=world.bob, transfer=transfer, note="  ")


def test_an_answered_transfer_cannot_be_answered_again(world, owned):
    transfer = _transfer(world, owned)
    accept_transfer(acting_user=world.bob, transfer=transfer)
    stale = Transfer.objects.get(pk=transfer.pk)
    with pytest.raises(TransferNotPending):
        decline_transfer(acting_user=world.bob, transfer=stale, note="oops")
    with pytest.raises(TransferNotPending):
        accept_transfer(acting_user=world.bob, transfer=stale)
    assert Case.objects.get(pk=owned.pk).transfer_count == 1


def test_the_sender_can_cancel(world, owned):
    transfer = _transfer(world, owned)
    with pytest.raises(NotAllowed):
        cancel_transfer(acting_user=world.bob, transfer=transfer)
    cancel_transfer(acting_user=world.alice, transfer=transfer)
    assert transfer.status == "cancelled"
    assert Case.objects.get(pk=owned.pk).owner == world.alice
    assert "transfer_cancelled" in _kinds(owned)
    with pytest.raises(TransferNotPending):
        accept_transfer(acting_user=world.bob, transfer=transfer)


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"to_user": None}, "person or a department"),
        ({"reason": " "}, "reason"),
        ({"handoff_note": ""}, "hand-off note"),
        ({"expires_in": timedelta(0)}, "between"),
        ({"reason": "x" * 251}, "250"),
    ],
)
def test_transfers_need_a_receiver_a_reason_and_a_hand_off_note(world, owned, overrides, words):
    with pytest.raises(InvalidTransfer) as error:
        _transfer(world, owned, **overrides)
    assert words in error.value.message
    assert not Transfer.objects.exists()


def test_no_transfer_to_oneself_or_to_non_staff(world, owned):
    for receiver in (world.alice, world.dave_user, world.erin):
        with pytest.raises(InvalidTransfer):
            _transfer(world, owned, to_user=receiver)
    world.bob.is_active = False
    world.bob.save()
    with pytest.raises(InvalidTransfer):
        _transfer(world, owned)


def test_supervisor_cannot_transfer_a_case_to_its_current_owner(world, owned):
    with pytest.raises(InvalidTransfer):
        _transfer(world, owned, acting_user=world.carol, to_user=world.alice)


def test_only_one_transfer_waits_at_a_time(world, owned):
    _transfer(world, owned)
    with pytest.raises(InvalidTransfer) as error:
        _transfer(world, owned, to_user=world.carol)
    assert "already waiting" in error.value.message


def test_no_transfer_to_a_closed_department_or_of_a_resolved_case(world, owned):
    world.billing.is_active = False
    world.billing.save()
    with pytest.raises(InvalidTransfer):
        _transfer(world, owned, to_user=None, to_department=world.billing)
    change_status(acting_user=world.alice, case=owned, status="resolved")
    with pytest.raises(InvalidTransfer):
        _transfer(world, owned)


def test_only_the_owner_or_a_supervisor_may_transfer(world, owned):
    with pytest.raises(NotAllowed):
        _transfer(world, owned, acting_user=world.bob, to_user=world.carol)
    transfer = _transfer(world, owned, acting_user=world.carol)
    assert transfer.from_user == world.carol


def test_an_unanswered_transfer_expires_back_to_the_sender(world, owned):
    transfer = _transfer(world, owned)
    with time_machine.travel(timezone.now() + timedelta(hours=4, minutes=1)):
        with pytest.raises(TransferNotPending):
            accept_transfer(acting_user=world.bob, transfer=transfer)
        assert expire_transfers() == 1
        assert expire_transfers() == 0
    transfer.refresh_from_db()
    assert transfer.status == "expired"
    case = Case.objects.get(pk=owned.pk)
    assert case.owner == world.alice
    event = CaseEvent.objects.get(case=owned, kind="transfer_expired")
    assert event.actor is None and event.actor_label == "system"
    assert event.data["owner"]["id"] == world.alice.pk


def test_transfers_not_yet_due_are_left_alone(world, owned):
    _transfer(world, owned)
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        assert expire_transfers() == 0
    assert Transfer.objects.get().status == "pending"


def test_an_expired_supervisor_transfer_of_an_unowned_case_goes_to_the_supervisor(world, case):
    _transfer(world, case, acting_user=world.carol, expires_in=timedelta(minutes=5))
    assert expire_transfers(now=timezone.now() + timedelta(minutes=6)) == 1
    assert Case.objects.get(pk=case.pk).owner == world.carol


def test_the_worker_task_and_the_plain_function_both_sweep(world, owned):
    _transfer(world, owned, expires_in=timedelta(minutes=1))
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        assert run_expire_transfers() == 1
        assert expire_transfers_task.call() == 0
    assert expire_transfers_task.name == "expire_transfers_task"


@pytest.mark.django_db(transaction=ON_POSTGRESQL)
def test_two_sweepers_at_once_expire_each_transfer_once():
    world = build_world()
    case = open_case(
        acting_user=world.alice,
        customer=world.dave,
        subject="s",
        body="b",
        channel="phone",
        department=world.support,
        owner=world.alice,
    )
    transfer_case(
        acting_user=world.alice,
        case=case,
        to_user=world.bob,
        reason="r",
        handoff_note="n",
        expires_in=timedelta(minutes=1),
    )
    later = timezone.now() + timedelta(minutes=2)
    if connection.vendor != "postgresql":
        # No threads on SQLite's in-memory test database: a second sweep over
        # the same moment must find nothing left to do.
        assert [expire_transfers(now=later), expire_transfers(now=later)] == [1, 0]
    else:
        barrier = threading.Barrier(2)
        counts, errors = [], []

        def sweep():
            try:
                barrier.wait()
                counts.append(expire_transfers(now=later))
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(counts) == [0, 1]
    assert CaseEvent.objects.filter(case=case, kind="transfer_expired").count() == 1
    assert Case.objects.get(pk=case.pk).owner == world.alice
