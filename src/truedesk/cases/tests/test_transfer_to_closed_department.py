"""Nobody is sent to a department that is closed, or to a person who is off shift (seed 003).

Billing keeps Mon-Fri 08:00-17:00 Europe/Vilnius with Lithuanian public
holidays; Vilnius is UTC+2 until the clocks go forward on 29 March 2026.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from truedesk.calendars.actions import assign_department_calendar, create_calendar
from truedesk.cases.actions import CaseChanges, open_case, take_case, transfer_case, update_case
from truedesk.cases.errors import AgentOffShift, DepartmentClosed
from truedesk.cases.models import Case, CaseEvent, Transfer
from truedesk.workforce.actions import add_weekly_shift
from truedesk.workforce.coverage import WeeklyPattern

VILNIUS = ZoneInfo("Europe/Vilnius")
SATURDAY_10 = datetime(2026, 3, 7, 10, 0, tzinfo=VILNIUS)
MONDAY_08_UTC = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)


@pytest.fixture
def billing_hours(world):
    calendar = create_calendar(
        acting_user=world.carol,
        name="Billing office",
        time_zone="Europe/Vilnius",
        country="LT",
        hours={day: [(time(8), time(17))] for day in range(5)},
    )
    assign_department_calendar(acting_user=world.carol, department=world.billing, calendar=calendar)
    return calendar


def _owned_case(world, make_case, at):
    with time_machine.travel(at, tick=False):
        case = make_case()
        take_case(acting_user=world.alice, case=case)
    return case


def _to_billing(world, case, **overrides):
    values = dict(
        acting_user=world.alice,
        case=case,
        to_department=world.billing,
        reason="Double charge",
        handoff_note="Dave was charged twice for March; the router issue is solved.",
    )
    values.update(overrides)
    return transfer_case(**values)


def test_a_transfer_into_billing_on_saturday_is_refused_with_monday_morning(
    world, make_case, billing_hours
):
    case = _owned_case(world, make_case, SATURDAY_10)
    events_before = CaseEvent.objects.filter(case=case).count()

    with time_machine.travel(SATURDAY_10, tick=False), pytest.raises(DepartmentClosed) as refused:
        _to_billing(world, case)

    assert refused.value.http_status == 409
    assert refused.value.code == "department_closed"
    assert refused.value.next_open_at == MONDAY_08_UTC
    assert refused.value.details == {
        "next_open_at": "2026-03-09T06:00:00+00:00",
        "department": "Billing",
    }
    assert refused.value.message == "Billing is closed now. It opens Monday 08:00."
    assert not Transfer.objects.filter(case=case).exists()
    assert CaseEvent.objects.filter(case=case).count() == events_before
    assert Case.objects.get(pk=case.pk).owner == world.alice


def test_on_a_public_holiday_billing_opens_the_next_working_morning(
    world, make_case, billing_hours
):
    independence_day = datetime(2026, 3, 11, 11, 0, tzinfo=VILNIUS)  # a Wednesday
    case = _owned_case(world, make_case, independence_day)

    with time_machine.travel(independence_day, tick=False), pytest.raises(DepartmentClosed) as no:
        _to_billing(world, case)

    assert no.value.next_open_at == datetime(2026, 3, 12, 6, 0, tzinfo=UTC)
    assert no.value.message == "Billing is closed now. It opens Thursday 08:00."


def test_a_minute_before_closing_is_allowed_and_closing_time_is_refused(
    world, make_case, billing_hours
):
    friday_1659 = datetime(2026, 3, 6, 16, 59, tzinfo=VILNIUS)
    first = _owned_case(world, make_case, friday_1659)
    second = _owned_case(world, make_case, friday_1659)

    with time_machine.travel(friday_1659, tick=False):
        transfer = _to_billing(world, first)
    with (
        time_machine.travel(datetime(2026, 3, 6, 17, 0, tzinfo=VILNIUS), tick=False),
        pytest.raises(DepartmentClosed) as refused,
    ):
        _to_billing(world, second)

    assert transfer.status == Transfer.Status.PENDING
    assert transfer.to_department == world.billing
    assert refused.value.next_open_at == MONDAY_08_UTC


def test_a_department_without_opening_hours_is_always_open(world, make_case, billing_hours):
    with time_machine.travel(SATURDAY_10, tick=False):
        case = make_case(department=world.billing)
        take_case(acting_user=world.bob, case=case)
        transfer = transfer_case(
            acting_user=world.bob,
            case=case,
            to_department=world.support,
            reason="Router again",
            handoff_note="Billing part done; the line drops every evening.",
        )

    assert transfer.to_department == world.support


def test_moving_a_case_into_a_closed_department_is_refused_but_other_edits_are_not(
    world, make_case, billing_hours
):
    case = _owned_case(world, make_case, SATURDAY_10)

    with time_machine.travel(SATURDAY_10, tick=False):
        with pytest.raises(DepartmentClosed) as refused:
            update_case(
                acting_user=world.alice,
                case=case,
                expected_version=case.version,
                changes=CaseChanges(department=world.billing, subject="Charged twice"),
            )
        case.refresh_from_db()
        renamed = update_case(
            acting_user=world.alice,
            case=case,
            expected_version=case.version,
            changes=CaseChanges(department=world.support, subject="Charged twice"),
        )

    assert refused.value.details["next_open_at"] == "2026-03-09T06:00:00+00:00"
    assert renamed.department == world.support
    assert renamed.subject == "Charged twice"


def test_a_customer_may_still_open_a_case_in_a_closed_department(world, billing_hours):
    with time_machine.travel(SATURDAY_10, tick=False):
        case = open_case(
            acting_user=world.dave_user,
            customer=world.dave,
            subject="Charged twice",
            body="Two charges for March on my card.",
            channel="portal",
            department=world.billing,
        )

    assert case.department == world.billing
    assert case.owner is None


def test_a_person_with_shifts_is_refused_off_shift_and_one_without_is_not(
    world, make_case, billing_hours
):
    office = WeeklyPattern(frozenset(range(5)), time(8), time(17), "Europe/Vilnius")
    add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=office)
    first = _owned_case(world, make_case, SATURDAY_10)
    second = _owned_case(world, make_case, SATURDAY_10)

    with time_machine.travel(SATURDAY_10, tick=False):
        with pytest.raises(AgentOffShift) as refused:
            _to_billing(world, first, to_department=None, to_user=world.bob)
        to_carol = _to_billing(world, second, to_department=None, to_user=world.carol)

    assert refused.value.http_status == 409
    assert refused.value.details == {
        "next_open_at": "2026-03-09T06:00:00+00:00",
        "agent": "Bob Brown",
    }
    assert (
        refused.value.message == "Bob Brown is off shift now. The next shift starts Monday 08:00."
    )
    assert to_carol.to_user == world.carol


def test_a_person_on_shift_may_receive_a_case(world, make_case, billing_hours):
    weekends = WeeklyPattern(frozenset({5, 6}), time(9), time(18), "Europe/Vilnius")
    add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=weekends)
    case = _owned_case(world, make_case, SATURDAY_10)

    with time_machine.travel(SATURDAY_10, tick=False):
        transfer = _to_billing(world, case, to_department=None, to_user=world.bob)

    assert transfer.to_user == world.bob
