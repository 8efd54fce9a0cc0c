"""The guard watches live: after each committed change it rescues a case that crossed a limit."""

from __future__ import annotations

import logging

import pytest

from truedesk.cases.actions import (
    accept_transfer,
    add_internal_note,
    record_interaction,
    transfer_case,
)
from truedesk.cases.models import CaseEvent, EventKind
from truedesk.notifications.models import EmailDelivery
from truedesk.runaround import triggers
from truedesk.runaround.models import Rescue


@pytest.fixture
def committed(django_capture_on_commit_callbacks, immediate_tasks):
    """Run what the action schedules after its commit (announcements, queued tasks)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def test_the_reply_that_crosses_the_contact_limit_triggers_one_rescue(
    world, case, sam, reply, committed
):
    committed(reply, case, as_customer=True, times=2)  # 3 contacts: at the limit
    assert not Rescue.objects.exists()
    committed(reply, case)  # the fourth contact crosses it
    rescue = Rescue.objects.get()
    assert rescue.breaches == [{"metric": "contacts", "value": 4, "limit": 3}]
    case.refresh_from_db()
    assert case.owner == sam
    committed(reply, case, as_customer=True, times=3)
    assert Rescue.objects.count() == 1
    assert CaseEvent.objects.filter(case=case, kind=EventKind.RESCUED).count() == 1
    assert EmailDelivery.objects.filter(to_address="dave@example.com").count() == 1


def test_the_transfer_that_crosses_the_transfer_limit_triggers_a_rescue(
    world, case, sam, committed, limits
):
    limits(max_transfers=1)
    for receiver in (world.bob, world.alice):
        transfer = committed(
            transfer_case,
            acting_user=world.carol,
            case=case,
            to_user=receiver,
            reason="Billing question",
            handoff_note="Double charge in March.",
        )
        committed(accept_transfer, acting_user=receiver, transfer=transfer)
    rescue = Rescue.objects.get()
    assert rescue.breaches == [{"metric": "transfers", "value": 2, "limit": 1}]
    assert rescue.previous_owner == world.alice


def test_a_logged_call_adds_the_customers_minutes(world, case, sam, committed):
    committed(record_interaction, acting_user=world.alice, case=case, channel="phone",
              direction="inbound", body="Held for an hour", customer_seconds=61 * 60)  # fmt: skip
    assert [b["metric"] for b in Rescue.objects.get().breaches] == ["customer_minutes"]


def test_changes_that_cannot_move_a_counter_cost_no_query(case, django_assert_num_queries):
    note = CaseEvent(case=case, kind=EventKind.NOTE_ADDED)
    with django_assert_num_queries(0):
        triggers.on_case_event(note)


def test_a_case_under_every_limit_costs_one_query(case, django_assert_num_queries):
    event = CaseEvent(case=case, kind=EventKind.REPLY_ADDED)
    with django_assert_num_queries(1):
        triggers.on_case_event(event)


def test_internal_notes_never_trigger_a_rescue(world, case, sam, committed):
    for _index in range(5):
        committed(add_internal_note, acting_user=world.alice, case=case, body="Called the NOC")
    assert not Rescue.objects.exists()


def test_a_lost_queue_is_logged_and_left_to_the_sweep(case, reply, caplog, settings):
    settings.TASKS = {"default": {"BACKEND": "truedesk.no_such_backend.Backend"}}
    reply(case, times=3)
    event = CaseEvent(case=case, kind=EventKind.REPLY_ADDED)
    with caplog.at_level(logging.ERROR):
        triggers.on_case_event(event)
    assert f"could not queue the rescue of case {case.pk}" in caplog.text
    assert not Rescue.objects.exists()
