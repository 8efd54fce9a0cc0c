import pytest

from truedesk.cases.models import CaseEvent
from truedesk.notifications.models import EmailDelivery
from truedesk.promises.actions import break_promise
from truedesk.promises.errors import InvalidInput, NotAllowed, PromiseNotOpen, StaleVersion
from truedesk.promises.models import Promise

REASON = "The engineer is off sick today; we cannot reach the exchange before Thursday."


def _break(world, promise, **overrides):
    values = {
        "acting_user": world.alice,
        "promise": promise,
        "reason": REASON,
        "expected_version": 1,
    }
    values.update(overrides)
    return break_promise(**values)


def test_breaking_a_promise_needs_a_reason_and_tells_the_customer_why(world, promise):
    broken = _break(world, promise)

    assert broken.status == "broken"
    assert broken.reason == REASON
    assert broken.closed_by == world.alice
    assert broken.closed_at is not None
    assert broken.kept_at is None
    assert CaseEvent.objects.get(kind="promise_broken").data["reason"] == REASON
    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:broken")
    assert email.to_address == "dave@example.com"
    assert REASON in email.body
    assert "cannot keep this promise" in email.body


def test_without_a_reason_nothing_is_broken(world, promise):
    with pytest.raises(InvalidInput) as refused:
        _break(world, promise, reason="")

    assert refused.value.field == "reason"
    assert Promise.objects.get(pk=promise.pk).status == "open"
    assert not EmailDelivery.objects.filter(dedupe_key__endswith=":broken").exists()


def test_only_an_open_promise_can_be_broken(world, promise):
    _break(world, promise)

    with pytest.raises(PromiseNotOpen):
        _break(world, promise, expected_version=2)


def test_a_stale_version_is_refused(world, promise):
    with pytest.raises(StaleVersion):
        _break(world, promise, expected_version=2)


def test_a_customer_cannot_break_a_promise(world, promise):
    with pytest.raises(NotAllowed):
        _break(world, promise, acting_user=world.dave_user)
