"""Fan-out from the case trail: once per endpoint and event, even when ids commit out of order."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from truedesk.cases.actions import open_case
from truedesk.cases.models import CaseEvent
from truedesk.channels.webhooks import actions
from truedesk.channels.webhooks.fanout import SAFETY_WINDOW, fan_out_events
from truedesk.channels.webhooks.models import FannedOutEvent, FanOutCursor, WebhookDelivery

pytestmark = pytest.mark.django_db


def _event(case, pk):
    # bulk_create: an explicit id, as a concurrent transaction's sequence value would be.
    return CaseEvent.objects.bulk_create(
        [CaseEvent(pk=pk, case=case, kind="status_changed", data={}, created_at=timezone.now())]
    )[0]


def test_an_event_that_commits_late_with_a_lower_id_is_still_sent(world, grace):
    endpoint, _secret = actions.create_webhook(acting_user=grace, url="https://93.184.215.14/h")
    case = open_case(acting_user=world.alice, customer=world.dave, subject="A", body="B",
                     channel="desk")  # fmt: skip
    top = CaseEvent.objects.order_by("-id").first().pk
    # Event top+10 is visible first; top+5 (an older transaction) commits afterwards.
    _event(case, top + 10)
    assert fan_out_events() == 2
    _event(case, top + 5)
    assert fan_out_events() == 1
    assert fan_out_events() == 0
    sent = set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("event_id", flat=True))
    assert {top + 5, top + 10} <= sent
    assert WebhookDelivery.objects.count() == 3


def test_the_cursor_moves_past_the_safety_window_and_forgets_old_events(world, grace):
    actions.create_webhook(acting_user=grace, url="https://93.184.215.14/h")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        open_case(acting_user=world.alice, customer=world.dave, subject="A", body="B",
                  channel="desk")  # fmt: skip
        fan_out_events()
        assert FannedOutEvent.objects.count() == 1
        traveller.shift(SAFETY_WINDOW + timedelta(seconds=1))
        fan_out_events()
    assert FannedOutEvent.objects.count() == 0
    assert FanOutCursor.objects.get().event_id == CaseEvent.objects.order_by("-id").first().pk
    assert WebhookDelivery.objects.count() == 1


def test_events_before_an_endpoint_existed_are_not_sent_to_it(world, grace):
    open_case(acting_user=world.alice, customer=world.dave, subject="Old", body="B",
              channel="desk")  # fmt: skip
    fan_out_events()  # nobody listens yet
    actions.create_webhook(acting_user=grace, url="https://93.184.215.14/h")
    fan_out_events()
    assert WebhookDelivery.objects.count() == 0
    open_case(acting_user=world.alice, customer=world.dave, subject="New", body="B",
              channel="desk")  # fmt: skip
    assert fan_out_events() == 1


def test_a_paused_endpoint_gets_nothing(world, grace):
    endpoint, _secret = actions.create_webhook(acting_user=grace, url="https://93.184.215.14/h")
    actions.update_webhook(acting_user=grace, endpoint=endpoint, expected_version=1,
                           is_active=False)  # fmt: skip
    open_case(acting_user=world.alice, customer=world.dave, subject="A", body="B",
              channel="desk")  # fmt: skip
    assert fan_out_events() == 0


def test_staff_only_text_in_event_data_is_redacted_unless_the_endpoint_may_read_it(world, grace):
    import json

    outside, _s = actions.create_webhook(acting_user=grace, url="https://93.184.215.14/a")
    trusted, _t = actions.create_webhook(
        acting_user=grace, url="https://93.184.215.14/b", include_internal=True
    )
    case = open_case(acting_user=world.alice, customer=world.dave, subject="A", body="B",
                     channel="desk")  # fmt: skip
    data = {"transfer_id": 7, "reason": "Needs billing", "handoff_note": "He is angry",
            "to_user": {"id": 2, "name": "Bob"}}  # fmt: skip
    CaseEvent.objects.bulk_create(
        [CaseEvent(case=case, kind="transfer_requested", data=data, created_at=timezone.now())]
    )
    fan_out_events()
    kind = "transfer_requested"
    seen = json.loads(WebhookDelivery.objects.get(endpoint=outside, event_kind=kind).payload)
    redacted = {**data, "reason": "[redacted]", "handoff_note": "[redacted]"}
    assert seen["data"] == redacted
    full = json.loads(WebhookDelivery.objects.get(endpoint=trusted, event_kind=kind).payload)
    assert full["data"] == data
