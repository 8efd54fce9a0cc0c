"""A call-back request is a routed contact: its case waits for a phone agent like any other."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from truedesk.cases.actions import change_status, open_case
from truedesk.cases.models import Case, CaseEvent
from truedesk.channels.contactcentre.actions import cancel_callback, request_callback
from truedesk.channels.contactcentre.models import CallbackRequest
from truedesk.routing.models import QueueSkill, RoutingItem, Skill, TrainingModule
from truedesk.routing.selectors import list_hold_queue
from truedesk.routing.tests.conftest import TODAY, WEDNESDAY_NOON, available, capacity, train
from truedesk.workforce.models import ContactQueue, Shift


@pytest.fixture
def clock() -> Any:
    with time_machine.travel(WEDNESDAY_NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def phone_line(world, queue: ContactQueue, clock) -> ContactQueue:
    """Billing phone needs the billing-phone skill; bob holds it and is on shift, carol not."""
    skill = Skill.objects.create(kind=Skill.Kind.PRODUCT, code="billing-phone", name="Billing")
    QueueSkill.objects.create(queue=queue, skill=skill)
    module = TrainingModule.objects.create(name="Billing calls", valid_for_days=365)
    module.skills.add(skill)
    train(world, world.bob, module, TODAY - timedelta(days=10))
    now = timezone.now()
    Shift.objects.create(
        agent=world.bob, department=world.billing, kind="once",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=4),
    )  # fmt: skip
    capacity(world.bob, "phone", 1)
    return queue


def _ask(world, queue: ContactQueue) -> CallbackRequest:
    return request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=queue, phone="+370 600 12345"
    )


pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture
def immediate_tasks(settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_call_back_goes_to_the_free_phone_skilled_agent_on_shift(
    world, phone_line, django_capture_on_commit_callbacks
):
    available(world.bob, world.carol)  # carol is free but lacks the skill
    with django_capture_on_commit_callbacks(execute=True):
        callback = _ask(world, phone_line)

    callback.refresh_from_db()
    case = callback.case
    assert case is not None and case.department == world.billing
    assert case.owner == world.bob and callback.agent == world.bob
    routed = CaseEvent.objects.get(case=case, kind="case_routed")
    assert routed.data["agent"]["id"] == world.bob.pk and routed.data["channel"] == "phone"
    assert "+37060012345" in case.interactions.get().body

    client = Client()
    client.force_login(world.dave_user)
    page = client.get(f"/portal/call-back/{callback.pk}/").content.decode()
    assert f"{world.bob.display_name} will call you." in page


def test_a_call_back_joins_the_customers_open_case_in_that_department(
    world, phone_line, django_capture_on_commit_callbacks
):
    existing = open_case(
        acting_user=world.dave_user, customer=world.dave, subject="Invoice twice",
        body="I was charged twice.", channel="portal", department=world.billing,
    )  # fmt: skip
    callback = _ask(world, phone_line)
    assert callback.case == existing and not callback.opened_case
    assert Case.objects.filter(customer=world.dave).count() == 1
    item = RoutingItem.objects.get(case=existing)
    assert item.channel == "phone" and item.state == RoutingItem.State.WAITING


def test_with_nobody_free_it_waits_behind_older_and_urgent_cases_then_is_routed(
    world, phone_line, clock, django_capture_on_commit_callbacks
):
    def billing_call(customer, priority: int) -> Case:
        return open_case(
            acting_user=world.carol, customer=customer, subject="Called", body="Bill question.",
            channel="phone", department=world.billing, priority=priority,
        )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        older = billing_call(world.fiona, Case.Priority.NORMAL)
        clock.shift(timedelta(minutes=5))
        callback = _ask(world, phone_line)
        clock.shift(timedelta(minutes=5))
        urgent = billing_call(world.fiona, Case.Priority.URGENT)
    callback.refresh_from_db()
    assert callback.agent is None
    queue_order = list(list_hold_queue().values_list("case_id", flat=True))
    assert queue_order == [urgent.pk, older.pk, callback.case_id]
    assert CaseEvent.objects.filter(case=callback.case, kind="case_held").exists()

    # bob becomes free for one phone contact at a time: the queue is served head first.
    for ahead in (urgent, older):
        with django_capture_on_commit_callbacks(execute=True):
            if ahead is urgent:
                available(world.bob)
            else:
                change_status(acting_user=world.bob, case=urgent, status="resolved")
        ahead.refresh_from_db()
        assert ahead.owner == world.bob
        callback.refresh_from_db()
        assert callback.agent is None

    older.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        change_status(acting_user=world.bob, case=older, status="resolved")
    callback.refresh_from_db()
    assert callback.agent == world.bob
    assert RoutingItem.objects.get(case=callback.case).state == RoutingItem.State.ROUTED


def test_cancelling_the_request_takes_it_out_of_the_queue(
    world, phone_line, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        callback = _ask(world, phone_line)
    assert RoutingItem.objects.get(case=callback.case).state == RoutingItem.State.WAITING

    cancel_callback(acting_user=world.dave_user, callback=callback)
    with django_capture_on_commit_callbacks(execute=True):
        available(world.bob)

    callback.refresh_from_db()
    assert callback.status == CallbackRequest.Status.CANCELLED
    assert RoutingItem.objects.get(case=callback.case).state == RoutingItem.State.WITHDRAWN
    assert callback.case is not None and callback.case.owner is None
