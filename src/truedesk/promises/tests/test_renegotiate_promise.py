from datetime import timedelta

import pytest

from truedesk.cases.models import CaseEvent
from truedesk.notifications.models import EmailDelivery
from truedesk.promises.actions import renegotiate_promise
from truedesk.promises.errors import InvalidInput, NotAllowed, PromiseNotOpen, StaleVersion
from truedesk.promises.models import Promise
from truedesk.promises.tests.conftest import FIVE_PM, NOON

TOMORROW_TEN = FIVE_PM + timedelta(hours=17)
REASON = "Dave asked us to call tomorrow morning instead."


def _renegotiate(world, promise, **overrides):
    values = {
        "acting_user": world.alice,
        "promise": promise,
        "due_at": TOMORROW_TEN,
        "reason": REASON,
        "expected_version": 1,
    }
    values.update(overrides)
    return renegotiate_promise(**values)


def test_renegotiating_replaces_the_promise_with_a_new_due_time(world, promise):
    successor = _renegotiate(world, promise)

    old = Promise.objects.get(pk=promise.pk)
    assert old.status == "renegotiated"
    assert old.reason == REASON
    assert old.replaced_by == successor
    assert successor.status == "open"
    assert successor.due_at == TOMORROW_TEN
    assert (successor.kind, successor.owner, successor.description) == (
        old.kind,
        old.owner,
        old.description,
    )
    assert successor.made_by == world.alice
    event = CaseEvent.objects.get(kind="promise_renegotiated")
    assert event.data["replaces"] == promise.pk
    assert event.data["promise_id"] == successor.pk
    assert event.data["reason"] == REASON


def test_the_customer_is_told_the_new_time_and_why(world, promise):
    _renegotiate(world, promise)

    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:renegotiated")
    assert email.to_address == "dave@example.com"
    assert "March 3, 2027, 10 a.m." in email.subject
    assert REASON in email.body


def test_the_wording_may_change_too(world, promise):
    successor = _renegotiate(world, promise, description="A technician visits tomorrow 10:00")

    assert successor.description == "A technician visits tomorrow 10:00"
    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:renegotiated")
    assert "A technician visits tomorrow 10:00" in email.body


def test_a_successor_owner_who_can_no_longer_work_the_case_is_replaced_by_the_actor(
    world, case, promise_on
):
    promise = promise_on(case, owner=world.bob)
    world.bob.is_active = False
    world.bob.save()

    assert _renegotiate(world, promise).owner == world.alice


@pytest.mark.parametrize(
    ("overrides", "field"),
    [({"reason": " "}, "reason"), ({"due_at": NOON - timedelta(hours=1)}, "due_at")],
)
def test_bad_input_creates_no_successor(world, promise, overrides, field):
    with pytest.raises(InvalidInput) as refused:
        _renegotiate(world, promise, **overrides)

    assert refused.value.field == field
    assert Promise.objects.count() == 1
    assert Promise.objects.get().status == "open"


def test_a_stale_version_rolls_the_successor_back_and_tells_nobody(world, promise):
    with pytest.raises(StaleVersion):
        _renegotiate(world, promise, expected_version=3)

    assert Promise.objects.count() == 1
    assert not CaseEvent.objects.filter(kind="promise_renegotiated").exists()
    assert not EmailDelivery.objects.filter(dedupe_key__endswith=":renegotiated").exists()


def test_a_settled_promise_cannot_be_renegotiated(world, promise):
    _renegotiate(world, promise)

    with pytest.raises(PromiseNotOpen) as refused:
        _renegotiate(world, promise, expected_version=None)
    assert refused.value.status == "renegotiated"
    assert Promise.objects.count() == 2


def test_a_customer_cannot_renegotiate(world, promise):
    with pytest.raises(NotAllowed):
        _renegotiate(world, promise, acting_user=world.dave_user)
