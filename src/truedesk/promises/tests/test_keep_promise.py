from datetime import timedelta

import pytest

from truedesk.cases.models import CaseEvent
from truedesk.notifications.models import EmailDelivery
from truedesk.promises.actions import keep_promise
from truedesk.promises.errors import InvalidInput, NotAllowed, PromiseNotOpen, StaleVersion
from truedesk.promises.models import Promise
from truedesk.promises.tests.conftest import NOON


def _keep(world, promise, **overrides):
    values = {
        "acting_user": world.alice,
        "promise": promise,
        "how": "Called Dave at 16:40; dial tone is back.",
        "expected_version": 1,
    }
    values.update(overrides)
    return keep_promise(**values)


def test_keeping_a_promise_records_when_and_how_and_tells_the_customer(world, promise, clock):
    clock.shift(timedelta(hours=4, minutes=40))

    kept = _keep(world, promise)

    assert kept.status == "kept"
    assert kept.kept_at == kept.closed_at == NOON + timedelta(hours=4, minutes=40)
    assert kept.kept_note == "Called Dave at 16:40; dial tone is back."
    assert kept.closed_by == world.alice
    assert kept.version == 2
    event = CaseEvent.objects.get(kind="promise_kept")
    assert event.actor == world.alice
    assert event.data["how"] == kept.kept_note
    assert event.data["on_time"] is True
    email = EmailDelivery.objects.get(dedupe_key=f"promise:{promise.pk}:kept")
    assert email.to_address == "dave@example.com"
    assert "Called Dave at 16:40; dial tone is back." in email.body


def test_a_colleague_working_the_case_may_record_it_kept(world, promise):
    assert _keep(world, promise, acting_user=world.bob).closed_by == world.bob


def test_an_old_version_is_refused_and_nothing_changes(world, promise):
    with pytest.raises(StaleVersion) as refused:
        _keep(world, promise, expected_version=7)

    assert refused.value.current_version == 1
    assert Promise.objects.get(pk=promise.pk).status == "open"
    assert not CaseEvent.objects.filter(kind="promise_kept").exists()


def test_a_promise_is_kept_once(world, promise):
    _keep(world, promise)

    with pytest.raises(PromiseNotOpen) as refused:
        _keep(world, promise, expected_version=None)
    assert refused.value.status == "kept"
    assert refused.value.http_status == 409
    assert EmailDelivery.objects.filter(dedupe_key__endswith=":kept").count() == 1


def test_saying_how_is_required(world, promise):
    with pytest.raises(InvalidInput) as refused:
        _keep(world, promise, how="  ")
    assert refused.value.field == "how"


@pytest.mark.parametrize("who", ["dave_user", "fiona_user", "erin"])
def test_customers_and_partners_cannot_keep_promises(world, promise, who):
    with pytest.raises(NotAllowed):
        _keep(world, promise, acting_user=getattr(world, who))
    assert Promise.objects.get(pk=promise.pk).status == "open"


def test_an_agent_who_cannot_work_the_case_cannot_keep_its_promise(world, make_case, promise_on):
    billing = make_case(department=world.billing, owner=world.bob, acting_user=world.bob)
    promise = promise_on(billing, acting_user=world.bob)

    with pytest.raises(NotAllowed):
        _keep(world, promise)
