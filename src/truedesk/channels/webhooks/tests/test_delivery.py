"""Deliveries end to end: fan-out, signing, authorised payloads, retries, dead letters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from truedesk.cases.actions import add_internal_note, open_case, reply_to_case
from truedesk.channels.webhooks import actions
from truedesk.channels.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def receiver_verifies(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What docs/webhooks.md tells integrators to do, written from scratch."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    if abs(time.time() - int(headers["webhook-timestamp"])) > 300:
        return False
    return any(
        hmac.compare_digest(candidate.removeprefix("v1,"), expected)
        for candidate in headers["webhook-signature"].split()
        if candidate.startswith("v1,")
    )


def _open(world, subject="Router keeps rebooting"):
    return open_case(
        acting_user=world.alice,
        customer=world.dave,
        subject=subject,
        body="It reboots every evening.",
        channel="desk",
    )


def test_a_case_event_reaches_the_endpoint_signed_and_verifiable(
    world, grace, receiver, loopback_allowed, dispatcher
):
    endpoint, secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    case = _open(world)

    dispatcher.run_pass()
    dispatcher.finish()

    [request] = receiver.wait_for(1)
    assert request.path == "/hooks/truedesk"
    assert request.headers["content-type"] == "application/json"
    assert receiver_verifies(secret, request.headers, request.body)
    assert not receiver_verifies(secret, request.headers, request.body + b" ")
    assert not receiver_verifies("whsec_" + base64.b64encode(b"x" * 32).decode(),
                                 request.headers, request.body)  # fmt: skip
    payload = json.loads(request.body)
    assert payload["type"] == "case.case_opened"
    assert payload["case"] == {
        "id": case.pk,
        "number": case.number,
        "url": f"http://127.0.0.1:8000/desk/cases/{case.number}/",
    }
    assert payload["actor"]["label"] == world.alice.display_name
    assert payload["data"]["subject"] == "Router keeps rebooting"
    assert payload["interaction"]["text"] == "It reboots every evening."
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert request.headers["webhook-id"] == f"whd_{delivery.pk}"
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert delivery.attempts == 1 and delivery.last_status_code == 200


def test_an_event_is_delivered_once_however_often_the_dispatcher_runs(
    world, grace, receiver, loopback_allowed, dispatcher
):
    actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    dispatcher.run_pass()
    dispatcher.run_pass()
    dispatcher.finish()
    assert len(receiver.wait_for(1)) == 1
    assert WebhookDelivery.objects.count() == 1


def test_internal_note_text_goes_only_to_endpoints_allowed_it(
    world, grace, receiver, second_receiver, loopback_allowed, dispatcher
):
    actions.create_webhook(acting_user=grace, url=receiver.url, event_kinds=["note_added"])
    actions.create_webhook(
        acting_user=grace,
        url=second_receiver.url,
        event_kinds=["note_added"],
        include_internal=True,
    )
    case = _open(world)
    add_internal_note(acting_user=world.alice, case=case, body="Customer is on the VIP list.")

    dispatcher.run_pass()
    dispatcher.finish()

    [outside] = receiver.wait_for(1)
    [trusted] = second_receiver.wait_for(1)
    assert b"VIP" not in outside.body
    withheld = json.loads(outside.body)["interaction"]
    assert withheld["internal"] is True and withheld["text"] is None and withheld["text_withheld"]
    assert json.loads(trusted.body)["interaction"]["text"] == "Customer is on the VIP list."


def test_withdrawing_internal_text_also_covers_deliveries_not_yet_sent(
    world, grace, receiver, loopback_allowed, dispatcher
):
    endpoint, _secret = actions.create_webhook(
        acting_user=grace, url=receiver.url, event_kinds=["note_added"], include_internal=True
    )
    receiver.respond = lambda n: (503, {}) if n == 1 else (200, {})
    case = _open(world)
    add_internal_note(acting_user=world.alice, case=case, body="Customer is on the VIP list.")
    dispatcher.run_pass()
    dispatcher.finish()
    assert b"VIP" in receiver.wait_for(1)[0].body

    actions.update_webhook(
        acting_user=grace, endpoint=endpoint, expected_version=endpoint.version,
        include_internal=False,
    )  # fmt: skip
    # The receiver is back: the retry is due now.
    WebhookDelivery.objects.filter(endpoint=endpoint).update(next_attempt_at=timezone.now())
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(resting_until=None)
    dispatcher.run_pass()
    dispatcher.finish()

    retry = receiver.wait_for(2)[1]
    assert b"VIP" not in retry.body
    assert json.loads(retry.body)["interaction"]["text_withheld"] is True


def test_only_subscribed_kinds_are_sent(world, grace, receiver, loopback_allowed, dispatcher):
    actions.create_webhook(acting_user=grace, url=receiver.url, event_kinds=["reply_added"])
    case = _open(world)
    reply_to_case(acting_user=world.alice, case=case, body="We are on it.", channel="email")
    dispatcher.run_pass()
    dispatcher.finish()
    [request] = receiver.wait_for(1)
    assert json.loads(request.body)["type"] == "case.reply_added"
    assert json.loads(request.body)["interaction"]["text"] == "We are on it."


def test_failures_back_off_exponentially_then_dead_letter_and_redeliver(
    world, grace, receiver, loopback_allowed, dispatcher
):
    receiver.respond = lambda n: (503, {})
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=True) as traveller:
        _open(world)
        previous_gap = timedelta(0)
        for attempt in range(1, actions.MAX_ATTEMPTS + 1):
            dispatcher.run_pass()
            dispatcher.finish()
            delivery = WebhookDelivery.objects.get(endpoint=endpoint)
            assert delivery.attempts == attempt
            assert len(receiver.wait_for(attempt)) == attempt
            if attempt == actions.MAX_ATTEMPTS:
                break
            assert delivery.status == WebhookDelivery.Status.PENDING
            gap = delivery.next_attempt_at - delivery.last_attempt_at
            step = min(actions.BASE_DELAY * 2 ** (attempt - 1), actions.MAX_DELAY)
            assert step / 2 <= gap <= step + timedelta(seconds=1)
            assert attempt == 1 or gap >= previous_gap / 2
            previous_gap = gap
            # Not due yet: another pass sends nothing.
            traveller.move_to(delivery.next_attempt_at - timedelta(seconds=5))
            dispatcher.run_pass()
            assert len(receiver.requests) == attempt
            traveller.move_to(delivery.next_attempt_at + timedelta(seconds=1))
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.DEAD
        assert delivery.last_status_code == 503
        assert WebhookAttempt.objects.filter(delivery=delivery).count() == actions.MAX_ATTEMPTS
        # Dead letters stay dead until someone redelivers.
        traveller.shift(timedelta(days=2))
        dispatcher.run_pass()
        assert len(receiver.requests) == actions.MAX_ATTEMPTS

        receiver.respond = lambda n: (204, {})
        actions.redeliver(acting_user=grace, delivery=delivery)
        dispatcher.run_pass()
        dispatcher.finish()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.requests) == actions.MAX_ATTEMPTS + 1
    # Every retry carried the same message id, for the receiver to de-duplicate.
    assert {r.headers["webhook-id"] for r in receiver.requests} == {f"whd_{delivery.pk}"}


def test_retry_after_from_the_receiver_is_honoured(
    world, grace, receiver, loopback_allowed, dispatcher
):
    receiver.respond = lambda n: (429, {"Retry-After": "3600"})
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    dispatcher.run_pass()
    dispatcher.finish()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.next_attempt_at - delivery.last_attempt_at >= timedelta(hours=1)


def test_redirects_are_not_followed(
    world, grace, receiver, second_receiver, loopback_allowed, dispatcher
):
    receiver.respond = lambda n: (302, {"Location": second_receiver.url})
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    dispatcher.run_pass()
    dispatcher.finish()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "redirects are not followed" in delivery.last_error
    assert second_receiver.requests == []


def test_a_slow_endpoint_does_not_delay_a_fast_one(
    world, grace, receiver, second_receiver, loopback_allowed, dispatcher
):
    slow, fast = receiver, second_receiver
    fast_done = threading.Event()
    released_in_time: list[bool] = []
    # The slow receiver holds its first request until the fast one has had all
    # three; if the fast endpoint waited behind the slow one, that never
    # happens and the slow request times out (a failed attempt) instead.
    slow.before_answer = lambda n: released_in_time.append(fast_done.wait(timeout=30))
    fast.before_answer = lambda n: fast_done.set() if n == 3 else None
    slow_endpoint, _s = actions.create_webhook(acting_user=grace, url=slow.url)
    fast_endpoint, _f = actions.create_webhook(acting_user=grace, url=fast.url)
    for number in range(3):
        _open(world, subject=f"Case {number}")

    dispatcher.run_pass()
    dispatcher.finish()
    dispatcher.run_pass()
    dispatcher.finish()

    assert released_in_time[0] is True
    delivered = WebhookDelivery.Status.DELIVERED
    assert WebhookDelivery.objects.filter(endpoint=fast_endpoint, status=delivered).count() == 3
    assert WebhookDelivery.objects.filter(endpoint=slow_endpoint, status=delivered).count() == 3
    first_slow = WebhookAttempt.objects.filter(delivery__endpoint=slow_endpoint).order_by("at")[0]
    assert first_slow.status_code == 200


def test_the_worker_job_is_registered_and_delivers(world, grace, receiver, loopback_allowed):
    from truedesk.channels.webhooks import dispatch
    from truedesk.channels.webhooks.periodic import deliver_webhooks_job
    from truedesk.lib.periodic import discover_periodic_jobs, registered_jobs

    discover_periodic_jobs()
    assert "webhooks.deliver" in {job.name for job in registered_jobs()}
    actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    try:
        deliver_webhooks_job()
        dispatch.get_dispatcher().finish()
    finally:
        dispatch.reset_dispatcher()
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED
    assert len(receiver.wait_for(1)) == 1


def test_deleting_an_endpoint_while_its_request_runs_is_harmless(
    world, grace, receiver, loopback_allowed, dispatcher
):
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    dispatcher.run_pass()
    actions.delete_webhook(acting_user=grace, endpoint=endpoint)
    dispatcher.finish()
    assert len(receiver.wait_for(1)) == 1
    assert not WebhookDelivery.objects.exists()


def test_a_second_worker_leaves_an_endpoint_alone_while_the_first_holds_it(
    world, grace, receiver, loopback_allowed, dispatcher
):
    from truedesk.channels.webhooks.dispatch import Dispatcher

    gate = threading.Event()
    receiver.before_answer = lambda n: gate.wait(timeout=30)
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    _open(world)
    dispatcher.run_pass()
    receiver.wait_for(1)
    other = Dispatcher(concurrency=2)
    try:
        other.run_pass()
        assert other.in_flight == {}
        gate.set()
        dispatcher.finish()
        other.run_pass()
        other.finish()
    finally:
        gate.set()
        other.executor.shutdown(wait=True)
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1


def test_an_endpoint_that_is_down_gets_one_request_per_retry_step_not_one_per_delivery(
    world, grace, receiver, loopback_allowed, dispatcher
):
    receiver.respond = lambda n: (502, {})
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    with time_machine.travel(timezone.now(), tick=True) as traveller:
        for number in range(3):
            _open(world, subject=f"Case {number}")
        dispatcher.run_pass()
        dispatcher.finish()
        endpoint.refresh_from_db()
        first_retry = WebhookDelivery.objects.get(endpoint=endpoint, attempts=1).next_attempt_at
        assert endpoint.resting_until <= first_retry
        assert endpoint.resting_until <= timezone.now() + actions.MAX_REST
        for _again in range(3):
            dispatcher.run_pass()
        assert len(receiver.requests) == 1

        receiver.respond = lambda n: (200, {})
        traveller.move_to(first_retry + timedelta(seconds=1))
        dispatcher.run_pass()
        dispatcher.finish()
    endpoint.refresh_from_db()
    assert endpoint.resting_until is None
    assert WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count() == 3
    assert len(receiver.requests) == 4


def test_the_signing_secret_is_sealed_at_rest(world, grace):
    _endpoint, secret = actions.create_webhook(acting_user=grace, url="https://93.184.215.14/h")

    # What a database dump shows: neither the secret nor its key material.
    [row] = WebhookEndpoint.objects.values()
    dumped = json.dumps(row, default=str)
    assert secret not in dumped
    assert secret.removeprefix("whsec_") not in dumped
    assert WebhookEndpoint.objects.get().secret == secret


def test_a_secret_key_rotated_with_a_fallback_keeps_signing(
    world, grace, receiver, loopback_allowed, dispatcher, settings
):
    _endpoint, secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    _open(world)

    dispatcher.run_pass()
    dispatcher.finish()

    [request] = receiver.wait_for(1)
    assert receiver_verifies(secret, request.headers, request.body)


def test_a_secret_key_changed_without_a_fallback_sends_nothing_and_says_why(
    world, grace, receiver, loopback_allowed, dispatcher, settings
):
    endpoint, _secret = actions.create_webhook(acting_user=grace, url=receiver.url)
    settings.SECRET_KEY = "a-brand-new-secret-key-" + "x" * 40
    _open(world)

    dispatcher.run_pass()
    dispatcher.finish()

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == WebhookDelivery.Status.PENDING
    assert "rotate the endpoint's secret" in delivery.tries.get().error

    # Rotating gives a secret sealed under the current key: the retry goes out signed.
    _endpoint, fresh = actions.rotate_webhook_secret(acting_user=grace, endpoint=endpoint)
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    WebhookEndpoint.objects.update(resting_until=None)
    dispatcher.run_pass()
    dispatcher.finish()
    [request] = receiver.wait_for(1)
    assert receiver_verifies(fresh, request.headers, request.body)
