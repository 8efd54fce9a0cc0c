"""The API refuses a transfer into a closed department with 409 and the next opening."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import time_machine

from truedesk.calendars.actions import assign_department_calendar, create_calendar
from truedesk.cases.models import Transfer

SATURDAY_10 = datetime(2026, 3, 7, 10, tzinfo=ZoneInfo("Europe/Vilnius"))


def test_a_transfer_into_closed_billing_is_409_with_next_open_at(api, world, make_case):
    calendar = create_calendar(
        acting_user=world.carol,
        name="Billing office",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=calendar)
    case = make_case()
    body = {
        "to_department": world.billing.pk,
        "reason": "Double charge",
        "handoff_note": "Charged twice for March.",
        "expires_in_minutes": 60,
    }

    with time_machine.travel(SATURDAY_10, tick=False):
        api.post(f"/cases/{case.number}/take", as_="alice")
        reply = api.post(f"/cases/{case.number}/transfers", body, as_="alice")

    assert reply.status == 409
    assert reply.body["code"] == "department_closed"
    assert reply.body["details"] == {
        "next_open_at": "2026-03-09T06:00:00+00:00",
        "department": "Billing",
    }
    assert not Transfer.objects.filter(case=case).exists()
