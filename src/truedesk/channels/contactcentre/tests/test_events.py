"""Events become calls and calls become interactions: duplicates, order, phones, durations."""

from __future__ import annotations

import pytest

from truedesk.cases.actions import open_case
from truedesk.cases.models import Case, Interaction
from truedesk.channels.contactcentre.models import AgentIdentity, Call, QueueEvent
from truedesk.channels.contactcentre.tests.conftest import event, minutes_ago
from truedesk.customers.actions import create_customer
from truedesk.customers.models import ContactPoint, Customer

DAVE_PHONE = "+370 600 12345"


@pytest.fixture
def dave_phone(world):
    ContactPoint.objects.create(
        customer=world.dave, kind="phone", value="+37060012345", normalized="37060012345"
    )
    return world.dave


def _answered_call(call: str, *, caller: str = DAVE_PHONE, agent: str = "bob") -> list[dict]:
    return [
        event("offered", call, minutes_ago(10), caller=caller),
        event("answered", call, minutes_ago(8), agent=agent, wait_seconds=120),
        event("ended", call, minutes_ago(3), agent=agent, talk_seconds=300, wrap_up_seconds=30),
    ]


def test_an_answered_call_becomes_one_interaction_on_a_new_case_in_the_queues_department(
    world, queue, dave_phone, post_events
):
    response = post_events(_answered_call("c1", caller="00370 600-12345"))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["accepted"] == ["c1-offered", "c1-answered", "c1-ended"]
    case = Case.objects.get(customer=world.dave)
    assert case.department == world.billing
    (interaction,) = case.interactions.all()
    assert body["interactions"] == [interaction.pk]
    assert interaction.channel == "phone"
    assert interaction.direction == "inbound"
    assert interaction.handled_by == world.bob
    # The customer's own time: 2 minutes waiting + 5 talking (wrap-up is the agent's).
    assert interaction.customer_seconds == 420
    assert case.customer_seconds == 420
    assert case.contact_count == 1
    assert case.staff_touched_count == 1
    assert "waited 120 s, talked 300 s" in interaction.body


def test_a_call_from_a_customer_with_an_open_case_goes_on_that_case(
    world, queue, dave_phone, post_events
):
    existing = open_case(
        acting_user=world.dave_user, customer=world.dave, subject="Bill is wrong",
        body="Twice charged.", channel="portal",
    )  # fmt: skip

    post_events(_answered_call("c1"))

    assert Case.objects.filter(customer=world.dave).count() == 1
    existing.refresh_from_db()
    assert existing.contact_count == 2
    assert existing.customer_seconds == 420
    assert existing.interactions.filter(channel="phone", handled_by=world.bob).count() == 1


def test_the_same_events_sent_twice_make_one_interaction(world, queue, dave_phone, post_events):
    first = post_events(_answered_call("c1"))
    again = post_events(_answered_call("c1"))

    assert again.status_code == 200
    assert again.json()["accepted"] == []
    assert sorted(again.json()["duplicates"]) == sorted(first.json()["accepted"])
    assert QueueEvent.objects.count() == 3
    assert Interaction.objects.filter(channel="phone").count() == 1
    assert Case.objects.get(customer=world.dave).contact_count == 1


def test_events_arriving_out_of_order_give_the_same_call(world, queue, dave_phone, post_events):
    offered, answered, ended = _answered_call("c1")
    # The end first, then the start, then the answer, one request each.
    post_events([ended])
    post_events([offered])
    post_events([answered])

    call = Call.objects.get(call_id="c1")
    assert call.offered_at is not None and call.answered_at is not None
    assert call.ended_at is not None
    assert call.agent == world.bob
    assert call.wait_seconds == 120
    interactions = Interaction.objects.filter(channel="phone")
    assert interactions.count() == 1
    # The end event carried the talk time and the agent; the answer was not needed.
    assert interactions.get().customer_seconds == 300
    assert interactions.get().handled_by == world.bob


def test_a_batch_out_of_order_is_applied_in_time_order(world, queue, dave_phone, post_events):
    offered, answered, ended = _answered_call("c1")
    post_events([ended, answered, offered])

    interaction = Interaction.objects.get(channel="phone")
    assert interaction.customer_seconds == 420
    assert interaction.handled_by == world.bob


def test_an_abandoned_call_counts_the_callers_wait_and_nobody_as_handling_it(
    world, queue, dave_phone, post_events
):
    post_events([
        event("offered", "c9", minutes_ago(6), caller=DAVE_PHONE),
        event("abandoned", "c9", minutes_ago(2)),
    ])  # fmt: skip

    interaction = Interaction.objects.get(channel="phone")
    assert interaction.handled_by is None
    assert interaction.customer_seconds == 240
    assert "hung up after waiting 240 s" in interaction.body
    case = interaction.case
    assert case.contact_count == 1
    assert case.staff_touched_count == 0


def test_an_unknown_caller_becomes_a_new_customer_with_that_number(world, queue, post_events):
    post_events(_answered_call("c1", caller="+44 20 7946 0018"))

    customer = Customer.objects.get(contact_points__normalized="442079460018")
    assert customer.contact_points.get().kind == "phone"
    assert customer.cases.get().interactions.get().customer_seconds == 420
    # The next call from that number finds the same customer and case.
    post_events(_answered_call("c2", caller="0044 20 7946 0018"))
    assert Customer.objects.filter(contact_points__normalized="442079460018").count() == 1
    assert customer.cases.get().contact_count == 2


def test_a_shared_number_goes_to_the_household_member_with_an_active_case(
    world, queue, dave_phone, post_events
):
    partner = create_customer(acting_user=world.carol, name="Dana Davis", phones=[DAVE_PHONE])
    open_case(
        acting_user=world.carol, customer=partner, subject="Move the account", body="Please.",
        channel="desk",
    )  # fmt: skip

    post_events(_answered_call("c1"))

    assert Interaction.objects.get(channel="phone").case.customer == partner
    assert not Case.objects.filter(customer=world.dave).exists()


def test_a_withheld_number_is_counted_but_filed_nowhere(world, queue, post_events):
    response = post_events([
        event("offered", "c1", minutes_ago(5), caller="anonymous"),
        event("abandoned", "c1", minutes_ago(4)),
    ])  # fmt: skip

    assert response.status_code == 200
    assert [w["code"] for w in response.json()["warnings"]] == ["caller_not_a_number"]
    assert Call.objects.get(call_id="c1").abandoned_at is not None
    assert not Interaction.objects.exists()


def test_agents_are_found_by_the_contact_centres_own_id(
    world, queue, integration, dave_phone, post_events
):
    AgentIdentity.objects.create(integration=integration, external_id="ext-77", user=world.alice)

    response = post_events(_answered_call("c1", agent="ext-77"))

    assert response.json()["warnings"] == []
    assert Interaction.objects.get(channel="phone").handled_by == world.alice


def test_an_unknown_agent_is_a_warning_and_the_call_is_kept(world, queue, dave_phone, post_events):
    response = post_events(_answered_call("c1", agent="nobody-here"))

    assert response.status_code == 200
    assert {w["code"] for w in response.json()["warnings"]} == {"unknown_agent"}
    assert Interaction.objects.get(channel="phone").handled_by is None


def test_an_unknown_queue_refuses_the_whole_request(world, queue, dave_phone, post_events):
    events = _answered_call("c1")
    events.append(event("offered", "c2", minutes_ago(1), queue="no-such-queue"))

    response = post_events(events)

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_queue"
    assert response.json()["details"]["queues"] == ["no-such-queue"]
    assert not QueueEvent.objects.exists()
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"id": "x", "type": "rang", "call_id": "c", "queue": "billing-phone",
          "occurred_at": "2026-01-01T10:00:00Z"}, "type"),
        ({"id": "x", "type": "offered", "call_id": "c", "queue": "billing-phone",
          "occurred_at": "2026-01-01T10:00:00"}, "occurred_at"),
        ({"id": "x", "type": "ended", "call_id": "c", "queue": "billing-phone",
          "occurred_at": "2026-01-01T10:00:00Z", "talk_seconds": -5}, "talk_seconds"),
        ({"id": "x", "type": "ended", "call_id": "c", "queue": "billing-phone",
          "occurred_at": "2026-01-01T10:00:00Z", "talk_seconds": "NaN"}, "talk_seconds"),
        ({"type": "offered", "call_id": "c", "queue": "billing-phone",
          "occurred_at": "2026-01-01T10:00:00Z"}, "id"),
        ({"events": []}, "events"),
    ],
)  # fmt: skip
def test_invalid_events_get_a_422_naming_the_field(queue, post_events, payload, where):
    response = post_events(payload)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
    assert any(where in detail["loc"] for detail in response.json()["details"])
    assert not QueueEvent.objects.exists()


def test_a_body_that_is_not_json_gets_a_422(queue, post_events):
    response = post_events(b"{not json")

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_json"


def test_an_event_from_the_future_is_refused(queue, post_events):
    from datetime import timedelta

    from django.utils import timezone

    response = post_events([event("offered", "c1", timezone.now() + timedelta(hours=2))])

    assert response.status_code == 422
    assert not QueueEvent.objects.exists()


def test_stored_events_cannot_be_changed_or_deleted(queue, post_events):
    from truedesk.channels.contactcentre.models import AppendOnlyError

    post_events([event("offered", "c1", minutes_ago(1), caller=DAVE_PHONE)])
    stored = QueueEvent.objects.get()
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.delete()


def test_a_call_that_ends_unanswered_counts_as_a_hang_up(world, queue, dave_phone, post_events):
    post_events([
        event("offered", "c5", minutes_ago(7), caller=DAVE_PHONE),
        event("ended", "c5", minutes_ago(4)),
    ])  # fmt: skip

    interaction = Interaction.objects.get(channel="phone")
    assert interaction.customer_seconds == 180
    assert interaction.handled_by is None
    assert "hung up after waiting 180 s" in interaction.body
    call = Call.objects.get(call_id="c5")
    assert call.left_queue_at == call.ended_at
    assert call.waited_seconds == pytest.approx(180, abs=1)
    assert call.handled_seconds is None
