"""The live state of a queue on a constructed scenario, and the wait it predicts."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from django.test import Client
from django.utils import timezone

from truedesk.accounts.actions import SystemActor, mint_api_token
from truedesk.channels.contactcentre.actions import request_callback
from truedesk.channels.contactcentre.models import Call
from truedesk.channels.contactcentre.selectors import get_live_queue_state, predict_wait_at
from truedesk.channels.contactcentre.tests.conftest import event, minutes_ago
from truedesk.customers.models import ContactPoint
from truedesk.workforce.models import Shift
from truedesk.workforce.queueing.wait_prediction import (
    QueueSnapshot,
    abandonment_aware_wait_seconds,
    describe_wait,
    estimate_abandon_rate,
    predict_wait,
)


def _on_shift(agent, department, *, channel: str = "") -> Shift:
    now = timezone.now()
    return Shift.objects.create(
        agent=agent, department=department, channel=channel, kind="once",
        starts_at=now - timedelta(hours=2), ends_at=now + timedelta(hours=2),
    )  # fmt: skip


def _number(i: int) -> str:
    return f"+3706{i:07d}"


@pytest.fixture
def scenario(world, queue, post_events):
    """Billing phone now: bob and carol on shift, one call in progress, three calls and a
    call-back waiting; in the last hours 24 callers answered after 60 s (4 with a known
    talk time of 200 s + 40 s wrap-up) and 6 hung up after 90 s."""
    _on_shift(world.bob, world.billing)
    _on_shift(world.carol, world.billing, channel="phone")
    _on_shift(world.alice, world.support)  # another department: does not count
    _on_shift(world.bob, world.billing, channel="chat")  # bob again, other channel
    events = []
    for i in range(24):
        start = minutes_ago(200 - 5 * i)
        call = f"done-{i}"
        events += [
            event("offered", call, start, caller=_number(i)),
            event("answered", call, start + timedelta(seconds=60), agent="bob"),
        ]
        if i < 4:
            events.append(
                event("ended", call, start + timedelta(seconds=260), talk_seconds=200,
                      wrap_up_seconds=40)
            )  # fmt: skip
        else:
            events.append(event("ended", call, start + timedelta(seconds=60 + 200)))
    for i in range(6):
        start = minutes_ago(100 - 5 * i)
        events += [
            event("offered", f"gone-{i}", start, caller=_number(100 + i)),
            event("abandoned", f"gone-{i}", start + timedelta(seconds=90)),
        ]
    events += [
        event("offered", "talking", minutes_ago(6), caller=_number(200)),
        event("answered", "talking", minutes_ago(5), agent="carol"),
    ]
    for i, ago in enumerate((4, 3, 1)):
        events.append(event("offered", f"wait-{i}", minutes_ago(ago), caller=_number(300 + i)))
    assert post_events(events).status_code == 200
    ContactPoint.objects.create(customer=world.dave, kind="phone", value="+37060000001",
                                normalized="37060000001")  # fmt: skip
    callback = request_callback(
        acting_user=world.dave_user, customer=world.dave, queue=queue, phone="+37060000001"
    )
    callback.requested_at = minutes_ago(2)
    callback.save()
    return callback


def test_live_state_counts_waiting_staffed_busy_handling_and_patience(queue, scenario):
    state = get_live_queue_state(queue)

    assert [(c.kind, c.position) for c in state.waiting] == [
        ("call", 1), ("call", 2), ("callback", 3), ("call", 4)
    ]  # fmt: skip
    assert state.waiting[2].pk == scenario.pk
    assert state.agents_on_shift == 2
    assert state.agents_taking_contacts == 2  # shrinkage 0 in this queue
    assert state.agents_busy == 1
    # 20 calls with times only (200 s talk) and 4 with 200 s talk + 40 s wrap-up: the
    # plain mean of the last 1,000 (as measured in bench/wait_bench.py).
    assert state.aht_source == "recent"
    assert state.handled_sample == 24
    assert state.aht_seconds == pytest.approx((20 * 200 + 4 * 240) / 24)
    # 25 answered (24 + the call in progress) after 60 s, 6 hung up after 90 s.
    assert state.left_sample == 31
    assert state.abandoned_in_sample == 6
    assert state.abandon_source == "recent"
    assert state.abandon_rate_per_second == pytest.approx(
        estimate_abandon_rate(abandoned=6, waiting_seconds=25 * 60 + 6 * 90)
    )
    first = Call.objects.get(call_id="wait-0")
    assert first.offered_at is not None
    assert state.head_of_line_seconds == (state.at - first.offered_at).total_seconds()


def test_the_callback_gets_the_prediction_for_its_place_in_line(queue, scenario):
    state = get_live_queue_state(queue)
    answer = predict_wait_at(state, position=3)

    # One of the two agents is free and takes the first in line: two ahead need an agent.
    expected = abandonment_aware_wait_seconds(
        ahead=1, agents=2, aht_seconds=state.aht_seconds,
        abandon_rate_per_second=state.abandon_rate_per_second,
    )  # fmt: skip
    assert answer.prediction.expected_seconds == pytest.approx(float(expected))
    assert answer.prediction.short_queue
    assert answer.announce == describe_wait(answer.prediction)


def test_an_empty_roster_means_no_number(world, queue, post_events):
    post_events([event("offered", "c1", minutes_ago(1), caller=_number(1))])

    answer = predict_wait_at(get_live_queue_state(queue))

    assert answer.announce is None
    assert answer.prediction.status == "no_agents"


def _staff_client(user) -> Client:
    _token, raw = mint_api_token(acting_user=SystemActor("test"), user=user, name=f"test-{uuid4()}")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_the_wait_api_announces_a_range_for_a_short_queue(world, queue, scenario):
    client = _staff_client(world.carol)

    response = client.get(f"/api/v1/queues/{queue.slug}/wait", {"position": 3})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["position"] == 3
    assert body["status"] == "predicted"
    assert body["announce"]["kind"] == "range"
    assert body["announce"]["low_minutes"] <= body["announce"]["high_minutes"]
    assert body["inputs"]["agents_busy"] == 1
    assert body["inputs"]["waiting"] == 4
    assert body["inputs"]["ahead"] == 2
    assert body["low_seconds"] <= body["expected_seconds"] <= body["high_seconds"]
    assert body["computed_at"]
    by_id = client.get(f"/api/v1/queues/{queue.pk}/wait", {"position": 3}).json()
    assert by_id["announce"] == body["announce"]


def test_the_wait_api_announces_a_point_far_back_in_a_long_queue(world, queue, post_events):
    queue.patience_seconds = None
    queue.save()
    _on_shift(world.bob, world.billing)
    events = [
        event("offered", "busy", minutes_ago(30), caller=_number(1)),
        event("answered", "busy", minutes_ago(29), agent="bob"),
    ]
    events += [
        event("offered", f"w{i}", minutes_ago(20 - i), caller=_number(10 + i)) for i in range(12)
    ]
    post_events(events)

    body = _staff_client(world.carol).get("/api/v1/queues/billing-phone/wait",
                                          {"position": 12}).json()  # fmt: skip

    # One agent, busy; nobody has finished a call yet, so five minutes is assumed per call;
    # nobody hung up yet: the queue's patience is unset, so no abandonment.
    assert body["inputs"]["aht_source"] == "assumed"
    assert body["inputs"]["abandon_source"] == "none"
    expected = predict_wait(QueueSnapshot(ahead=11, agents=1, agents_busy=1, aht_seconds=300))
    assert body["expected_seconds"] == pytest.approx(12 * 300)
    assert body["expected_seconds"] == pytest.approx(expected.expected_seconds)
    assert body["announce"]["kind"] == "point"
    assert body["announce"]["low_minutes"] == body["announce"]["high_minutes"] == 60
    assert body["announce"]["text"] == "About 60 minutes"
    # Without a position: someone joining now is 13th.
    joining = _staff_client(world.carol).get("/api/v1/queues/billing-phone/wait").json()
    assert joining["position"] == 13


def test_the_wait_api_is_for_staff_and_known_queues(world, queue):
    assert Client().get("/api/v1/queues/billing-phone/wait").status_code == 401
    customer = _staff_client(world.dave_user).get("/api/v1/queues/billing-phone/wait")
    assert customer.status_code == 403
    staff = _staff_client(world.carol)
    assert staff.get("/api/v1/queues/nope/wait").status_code == 404
    assert staff.get("/api/v1/queues/billing-phone/wait", {"position": 0}).status_code == 422
    assert staff.get("/api/v1/queues/billing-phone/wait", {"position": "x"}).status_code == 422
    no_agents = staff.get("/api/v1/queues/billing-phone/wait").json()
    assert no_agents["status"] == "no_agents"
    assert no_agents["announce"]["kind"] == "none"
    assert no_agents["expected_seconds"] is None


def test_the_state_api_lists_who_waits_in_order(world, queue, scenario):
    body = _staff_client(world.carol).get("/api/v1/queues/billing-phone/state").json()

    assert [w["kind"] for w in body["waiting"]] == ["call", "call", "callback", "call"]
    assert [w["position"] for w in body["waiting"]] == [1, 2, 3, 4]
    assert body["inputs"]["agents_on_shift"] == 2


def test_the_live_state_costs_the_same_few_queries_however_many_calls(
    queue, scenario, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):
        state = get_live_queue_state(queue)
    assert state.left_sample == 31
